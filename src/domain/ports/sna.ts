import type { SnaSession } from '../types.js';

/** The SNA simulator's sessions (written inside a start's transaction through VerificationTx). */
export interface SnaStore {
  findSnaSession(tokenHash: string): Promise<SnaSession | undefined>;
  /** Marks an SNA session used exactly once; false when it was already used or has expired. */
  useSnaSession(tokenHash: string, now: number, clientTokenHash: string | null): Promise<boolean>;
}
