import type { PumpingCounts, PumpingKeys, PumpingLevel, PumpingReason } from '../protection/pumping.js';
import type { GeoRule, SafeListEntry } from '../protection/types.js';

/** The account's Safe List: numbers that skip geo permissions and the SMS-pumping guard. */
export interface SafeListStore {
  /** Adds the number, or returns the entry it already has (adding twice changes nothing). */
  addSafeNumber(entry: SafeListEntry): Promise<SafeListEntry>;
  getSafeNumber(accountSid: string, phoneNumber: string): Promise<SafeListEntry | undefined>;
  deleteSafeNumber(accountSid: string, phoneNumber: string): Promise<boolean>;
}

/** Where a geo rule is set: an account's own (serviceSid null) or one of its services'. */
export interface GeoScope {
  accountSid: string;
  serviceSid: string | null;
}

/** Geo permissions set with the CLI, per account and per service, by channel. */
export interface GeoPermissionStore {
  setGeoRule(scope: GeoScope, channel: string, rule: GeoRule, at: number): Promise<void>;
  clearGeoRule(scope: GeoScope, channel: string): Promise<boolean>;
  /** Every rule the account and its services have, for the CLI's listing. */
  listGeoRules(accountSid: string): Promise<Array<{ serviceSid: string | null; channel: string; rule: GeoRule }>>;
}

/** The guard's sums for one start, and the service's own level when one is set (one statement). */
export interface PumpingReading {
  level?: PumpingLevel;
  counts: PumpingCounts;
}

/** What a start's protections read about it (AdmissionStore.readAdmission). */
export interface AdmissionQuery {
  accountSid: string;
  serviceSid: string;
  channel: string;
  /** The destination as stored (E.164). */
  to: string;
  /** For a start the pumping guard judges: the destination's keys, and the level of a service without its own; null: no counters read. */
  pumping: { keys: PumpingKeys; defaultLevel: PumpingLevel } | null;
  now: number;
}

export interface AdmissionReading {
  /** The service's and its account's geo rules for the channel, whichever are set. */
  geo: { service?: GeoRule; account?: GeoRule };
  /** The number is on the account's Safe List. */
  safeListed: boolean;
  /** The guard's reading, when the query asked for it. */
  pumping?: PumpingReading;
}

/**
 * The start's protections read everything they weigh in one go (docs/protection.md): a start is
 * the hot path, and on PostgreSQL each separate read is a round trip.
 */
export interface AdmissionStore {
  /**
   * Whether readAdmission also counts the start on its prefix and range, as accepted, when the
   * guard judges it (its level is not `off` and the number is not safe-listed), in the read's own
   * statement (PostgreSQL: one round trip for both, which is most of what a statement costs there).
   * Otherwise an accepted start is counted in its transaction (PumpingTx.countPumpingStart).
   */
  readonly countsInRead: boolean;
  readAdmission(q: AdmissionQuery): Promise<AdmissionReading>;
}

/** The guard's count of an accepted start, written in the start's transaction: it commits or rolls back with the start. */
export interface PumpingTx {
  countPumpingStart(serviceSid: string, keys: PumpingKeys, now: number): Promise<void>;
}

/** A row of the blocked-starts report: per service, prefix and reason. */
export interface PumpingBlockRow {
  serviceSid: string;
  prefix: string;
  reason: PumpingReason;
  blocked: number;
  firstBlocked: number;
  lastBlocked: number;
}

/**
 * The SMS-pumping guard's per-service levels (set with the CLI), its per-minute counters shared
 * by every node on the database, and the blocked-starts report (docs/protection.md).
 */
export interface PumpingStore {
  setPumpingLevel(accountSid: string, serviceSid: string, level: PumpingLevel, at: number): Promise<void>;
  /** Forgets the service's own level: the default applies again. */
  clearPumpingLevel(serviceSid: string): Promise<boolean>;
  listPumpingLevels(accountSid: string): Promise<Array<{ serviceSid: string; level: PumpingLevel }>>;
  /** The service's level and the counts for the destination at `now` (this start not included). */
  readPumping(serviceSid: string, keys: PumpingKeys, now: number): Promise<PumpingReading>;
  /** Counts a start on its range, and on its prefix when it was accepted. */
  countStart(serviceSid: string, keys: PumpingKeys, accepted: boolean, now: number): Promise<void>;
  /** Takes a start counted at `now` back off its prefix, and off its range too when `range`. */
  uncountStart(serviceSid: string, keys: PumpingKeys, range: boolean, now: number): Promise<void>;
  countApproval(serviceSid: string, prefix: string, now: number): Promise<void>;
  recordBlock(accountSid: string, serviceSid: string, prefix: string, reason: PumpingReason, now: number): Promise<void>;
  blockReport(accountSid: string): Promise<PumpingBlockRow[]>;
  /** Deletes counters older than `before` (the guard reads none of them), `chunk` rows read at a time (default: storage's). */
  purgePumpingCounters(before: number, chunk?: number): Promise<number>;
}
