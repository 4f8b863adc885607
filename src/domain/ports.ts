import type {
  Account,
  AttemptStatus,
  ApiKey,
  CheckRecord,
  InboxMessage,
  SendAttempt,
  Service,
  SnaSession,
  StatusChange,
  Verification,
} from './types.js';
import type { EventStore, OutboxTx } from './events/ports.js';

/** Keyset position for lists ordered by (dateCreated, sid). */
export interface Cursor {
  dateCreated: number;
  sid: string;
}

/**
 * One page of a list in its listing order: the rows after `cursor`, or with `back` the rows just
 * before it (still returned in listing order); without a cursor, the rows from `offset`.
 */
export interface PageQuery {
  cursor?: Cursor;
  back?: boolean;
  offset: number;
  limit: number;
}

/** Filters of GET /v2/Attempts (all optional, combined with AND). */
export interface AttemptFilter {
  createdAfter?: number;
  createdBefore?: number;
  to?: string;
  country?: string;
  channel?: string;
  serviceSid?: string;
  verificationSid?: string;
  converted?: boolean;
}

/** Filters of GET /v2/Attempts/Summary. */
export interface SummaryFilter {
  createdAfter?: number;
  createdBefore?: number;
  country?: string;
  channel?: string;
  serviceSid?: string;
  /** A prefix of the destination, e.g. "+1" or "+4477". */
  destinationPrefix?: string;
}

export interface AttemptTotals {
  total: number;
  converted: number;
}

export interface InboxFilter {
  to?: string;
  channel?: string;
  serviceSid?: string;
}

/**
 * Work that must be atomic with respect to one verification. `lock*` reads take a row lock on
 * PostgreSQL (SELECT ... FOR UPDATE); on SQLite the whole transaction is serialised. Everything
 * written through a VerificationTx commits or rolls back together.
 */
export interface VerificationTx extends OutboxTx {
  lockBySid(serviceSid: string, sid: string): Promise<Verification | undefined>;
  /** Pending verifications whose validity ended by `now`, oldest first; rows other transactions hold are skipped. */
  lockDue(now: number, limit: number): Promise<Verification[]>;
  lockPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined>;
  /** When a verification for this To ran out of check attempts and is still within its validity: its end. */
  lockedOutUntil(serviceSid: string, to: string, now: number): Promise<number | undefined>;
  insertVerification(v: Verification): Promise<void>;
  /** Writes the mutable fields (status, channel, counters, code, dates). */
  updateVerification(v: Verification): Promise<void>;
  insertSend(s: SendAttempt): Promise<void>;
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

/** Thrown by a store when a unique constraint rejects a write (e.g. two pending verifications for one To). */
export class UniqueViolation extends Error {}

/** Thrown by a store when a write names a parent that no longer exists (e.g. a service deleted meanwhile). */
export class MissingParent extends Error {}

export interface Store extends EventStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;

  insertAccount(a: Account): Promise<void>;
  getAccount(sid: string): Promise<Account | undefined>;
  countAccounts(): Promise<number>;
  insertApiKey(k: ApiKey): Promise<void>;
  getApiKey(sid: string): Promise<ApiKey | undefined>;

  insertService(s: Service): Promise<void>;
  getService(accountSid: string, sid: string): Promise<Service | undefined>;
  /** One page of services in (dateCreated, sid) order (see PageQuery). */
  listServices(accountSid: string, page: PageQuery): Promise<Service[]>;
  /**
   * Applies `change` to the current service under a row lock and stores the result, so concurrent
   * updates of different fields all land. Undefined when the service does not exist (for this account).
   */
  updateService(accountSid: string, sid: string, change: (current: Service) => Service): Promise<Service | undefined>;
  /** Deletes the service and everything under it. Returns false when it did not exist. */
  deleteService(accountSid: string, sid: string): Promise<boolean>;

  transaction<T>(fn: (tx: VerificationTx) => Promise<T>): Promise<T>;
  getVerification(serviceSid: string, sid: string): Promise<Verification | undefined>;
  getPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined>;
  listSends(verificationSid: string): Promise<SendAttempt[]>;
  listChecks(verificationSid: string): Promise<CheckRecord[]>;
  listStatusChanges(verificationSid: string): Promise<StatusChange[]>;
  updateSendStatus(sid: string, messageStatus: string, errorCode: number | null, at: number): Promise<void>;

  /** One page of an account's attempts, newest first (see PageQuery). */
  listAttempts(accountSid: string, filter: AttemptFilter, page: PageQuery): Promise<SendAttempt[]>;
  getAttempt(accountSid: string, sid: string): Promise<SendAttempt | undefined>;
  summarizeAttempts(accountSid: string, filter: SummaryFilter): Promise<AttemptTotals>;
  /** Deletes attempts created before `before`; returns how many. */
  purgeAttempts(before: number, limit: number): Promise<number>;
  /** Deletes finished verifications created before `before` that have no attempts left, with everything under them. */
  purgeVerifications(before: number, limit: number): Promise<number>;
  /** Counts one hit in a fixed window and returns the window's count so far (atomic across nodes). */
  hitRateCounter(bucket: string, windowStart: number): Promise<number>;
  /** Refreshes planner statistics where the database needs it (SQLite); optional. */
  optimize?(): Promise<void>;
  /** Drops counters of windows that started before `before`. */
  purgeRateCounters(before: number): Promise<void>;

  findSnaSession(tokenHash: string): Promise<SnaSession | undefined>;
  /** Marks an SNA session used exactly once; false when it was already used or has expired. */
  useSnaSession(tokenHash: string, now: number, clientTokenHash: string | null): Promise<boolean>;

  insertInboxMessage(m: InboxMessage): Promise<void>;
  listInboxMessages(accountSid: string, filter: InboxFilter, limit: number): Promise<InboxMessage[]>;
}
