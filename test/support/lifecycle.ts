/** Every (from, to, cause) triple of the verification lifecycle, for tests that walk them all. */
import type { StatusCause, VerificationStatus } from '../../src/domain/types.js';

export const STATUSES: VerificationStatus[] = ['pending', 'approved', 'canceled', 'expired', 'max_attempts_reached'];
export const CAUSES: StatusCause[] = ['start', 'check', 'update', 'expiry', 'resend', 'normalize'];

export interface Triple {
  from: VerificationStatus;
  to: VerificationStatus;
  cause: StatusCause;
}

export const triples = (): Triple[] => STATUSES.flatMap((from) => STATUSES.flatMap((to) => CAUSES.map((cause) => ({ from, to, cause }))));
export const label = (t: Triple): string => `${t.from} -> ${t.to} (${t.cause})`;
