import type { OutboxTx } from '../events/ports.js';
import type { InlineSendTx } from '../verification/sending.js';
import type { PumpingTx } from './protection.js';
import type { RateLimitTx } from './rate-limits.js';
import type { SendJob } from './send-jobs.js';
import type { SentBy } from './attempts.js';
import type { AttemptStatus, CheckRecord, SendAttempt, Service, SnaSession, StatusChange, Verification } from '../types.js';

/**
 * Work that must be atomic with respect to one verification. `lock*` reads take a row lock on
 * PostgreSQL (SELECT ... FOR UPDATE); on SQLite the whole transaction is serialised. Everything
 * written through a VerificationTx commits or rolls back together: the verification, its attempts,
 * checks, status history, SNA session and the events that report it.
 */
export interface VerificationTx extends OutboxTx, InlineSendTx, RateLimitTx, PumpingTx {
  lockBySid(serviceSid: string, sid: string): Promise<Verification | undefined>;
  /** Pending verifications whose validity ended by `now`, oldest first; rows other transactions hold are skipped. */
  lockDue(now: number, limit: number): Promise<Verification[]>;
  lockPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined>;
  /** Pending verifications whose e-mail To has an upper-case letter (stored so before it was folded), oldest first. */
  lockUnfoldedPending(): Promise<Verification[]>;
  /** The service's pending verifications whose To folds (address.ts foldEmail) to `folded`, oldest first. */
  lockPendingCaseVariants(serviceSid: string, folded: string): Promise<Verification[]>;
  /** Rewrites the To of a verification and of everything stored under it (its sends, its inbox messages). */
  setDestination(verificationSid: string, to: string): Promise<void>;
  /** When a verification for this To ran out of check attempts and is still within its validity: its end. */
  lockedOutUntil(serviceSid: string, to: string, now: number): Promise<number | undefined>;
  insertVerification(v: Verification): Promise<void>;
  /** Writes the mutable fields (status, channel, counters, code, dates). */
  updateVerification(v: Verification): Promise<void>;
  insertSend(s: SendAttempt): Promise<void>;
  /** Queues a code for the dispatcher; it is claimable once this transaction commits. */
  insertSendJob(job: SendJob): Promise<void>;
  /** Sets an attempt's status as an inline carrier reported it. */
  updateSendStatus(sid: string, messageStatus: string, errorCode: number | null, at: number): Promise<void>;
  insertCheck(c: CheckRecord): Promise<void>;
  insertStatusChange(c: StatusChange): Promise<void>;
  insertSnaSession(s: SnaSession): Promise<void>;
  latestSnaSession(verificationSid: string): Promise<SnaSession | undefined>;
  /** Records a verification's outcome on all of its attempts (conversion and attempt status). */
  setAttemptOutcome(verificationSid: string, outcome: { converted: boolean; status: AttemptStatus }, at: number): Promise<void>;
  /** The verification's sends and checks as this transaction sees them (for event payloads). */
  listSends(verificationSid: string): Promise<SendAttempt[]>;
  listChecks(verificationSid: string): Promise<CheckRecord[]>;
  getService(serviceSid: string): Promise<Service | undefined>;
}

/** Verifications with their sends, checks and status history. */
export interface VerificationStore {
  transaction<T>(fn: (tx: VerificationTx) => Promise<T>): Promise<T>;
  getVerification(serviceSid: string, sid: string): Promise<Verification | undefined>;
  getPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined>;
  listSends(verificationSid: string): Promise<SendAttempt[]>;
  listChecks(verificationSid: string): Promise<CheckRecord[]>;
  listStatusChanges(verificationSid: string): Promise<StatusChange[]>;
  /** The provider's answer to a send; `provider` when it named the message, for its receipts. */
  updateSendStatus(sid: string, messageStatus: string, errorCode: number | null, at: number, provider?: SentBy | null): Promise<void>;
  /** Deletes finished verifications created before `before` that have no attempts left, with everything under them. */
  purgeVerifications(before: number, limit: number): Promise<number>;
}
