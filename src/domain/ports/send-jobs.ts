import type { Price, SendTry, Verification } from '../types.js';
import type { CodeChannel, SendRequest, SendStatus } from '../verification/sending.js';

/** A code waiting to be sent through a queued provider: committed with its attempt by the start. */
export interface SendJob {
  attemptSid: string;
  verificationSid: string;
  channel: CodeChannel;
  /** What the provider gets, but the code (never stored in plain text). */
  request: Omit<SendRequest, 'code'>;
  /** A custom code, sealed under CODE_KEYS until the job ends; null for a code derived from the verification's seed. */
  sealedCode: { keyId: string; sealed: string } | null;
  dateCreated: number;
}

export type SendJobState = 'pending' | 'sent' | 'failed' | 'dropped';

/** A job as a dispatcher claimed it, with what it needs of its verification (undefined when deleted). */
export interface ClaimedSendJob extends SendJob {
  /** The attempt sid: what the lease renewals and releases name. */
  id: string;
  claim: string;
  leaseUntil: number;
  /** Tries so far (dispatcher runs; a run may try several providers, each in `tries`). */
  attempts: number;
  /** Each provider tried so far, in order. */
  tries: SendTry[];
  /** The provider that took the code and whose receipt may still send it on to the next one; null otherwise. */
  awaiting: string | null;
  verification: Pick<Verification, 'status' | 'expiresAt' | 'codeKeyId' | 'codeSeed' | 'codeLength' | 'customCode'> | undefined;
}

/** What the attempt records when a job settles. */
export interface AttemptUpdate {
  status: SendStatus | 'canceled';
  errorCode: number | null;
  providerName: string | null;
  providerMessageId: string | null;
  /** The delivering provider's price for the destination, when it has one (else the start's stays). */
  price?: Price | null;
}

/**
 * How a try ended: the job's next state (pending again at `nextAttemptAt`, or ended: the sealed
 * code is wiped), the error it met, and what the attempt records (nothing while it is retried).
 */
export interface SendSettlement {
  job: Pick<ClaimedSendJob, 'id' | 'claim'>;
  state: SendJobState;
  /** Whether this settlement counts a try (a drop without sending does not). */
  tried: boolean;
  nextAttemptAt: number;
  error: string | null;
  attempt: AttemptUpdate | null;
  at: number;
  /** The providers tried so far, written on the job and its attempt (unchanged when absent). */
  tries?: SendTry[];
  /** A pending job that waits for this provider's receipt (null when absent). */
  awaiting?: string | null;
}

/** A job's state as stored, for the dispatcher's callers and the tests. */
export interface SendJobStatus {
  state: SendJobState;
  attempts: number;
  lastError: string | null;
  /** Whether a sealed code is still stored (only while the job is pending). */
  sealed: boolean;
}

/**
 * The send queue, as the dispatchers see it (jobs are written by VerificationTx.insertSendJob in
 * the start's transaction). Claims are leases, renewed while held, as the outbox's.
 */
export interface SendJobStore {
  claimSendJobs(now: number, leaseUntil: number, limit: number): Promise<ClaimedSendJob[]>;
  /** Moves the lease of each held job still under its claim; returns the ids renewed. */
  renewSendLeases(held: Array<Pick<ClaimedSendJob, 'id' | 'claim'>>, now: number, leaseUntil: number): Promise<string[]>;
  /** Gives unsent claims back, due at once. */
  releaseSendJobs(ids: string[], claim: string, now: number): Promise<void>;
  /** Records a try's outcome if the claim is still current; false when it was taken over (nothing recorded). */
  settleSendJob(s: SendSettlement): Promise<boolean>;
  /** Records many outcomes in one transaction, in order, each as settleSendJob would; one result each. */
  settleSendJobs(items: SendSettlement[]): Promise<boolean[]>;
  sendJobStatus(attemptSid: string): Promise<SendJobStatus | undefined>;
  /** Calls `onCommit` when another process commits a job (PostgreSQL); absent where it cannot. */
  watchSendJobs?(onCommit: () => void): Promise<{ close(): Promise<void> }>;
}
