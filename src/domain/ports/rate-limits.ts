import type { PageQuery } from './paging.js';

/** A Service Rate Limit (RK…): a name a start meters a value under. */
export interface RateLimit {
  sid: string;
  accountSid: string;
  serviceSid: string;
  uniqueName: string;
  description: string | null;
  dateCreated: number;
  dateUpdated: number;
}

/** A Bucket (BL…): at most `max` hits per metered value within `interval` seconds. */
export interface RateLimitBucket {
  sid: string;
  accountSid: string;
  serviceSid: string;
  rateLimitSid: string;
  max: number;
  interval: number;
  dateCreated: number;
  dateUpdated: number;
}

/** Where a rate limit or bucket lives: every read and write is scoped by all three. */
export interface RateLimitScope {
  accountSid: string;
  serviceSid: string;
}

/** One metered value of a start: the rate limit's unique_name and the value's hash. */
export interface MeteredValue {
  name: string;
  valueHash: string;
}

/** A bucket's counter after a start's hit: `hits` in the window that ends at `windowEnd`. */
export interface BucketCount {
  rateLimitName: string;
  bucketSid: string;
  max: number;
  hits: number;
  windowEnd: number;
}

/** A create that a limit refused ('full'), or whose parent is gone ('missing'). */
export type InsertOutcome = 'inserted' | 'full' | 'missing';

/**
 * Rate limits and buckets. A duplicate unique_name (per service) or interval (per rate limit)
 * makes an insert or update throw UniqueViolation.
 */
export interface RateLimitStore {
  /** Inserts unless the service already has `maxPerService` rate limits (counted under a lock on the service). */
  insertRateLimit(r: RateLimit, maxPerService: number): Promise<InsertOutcome>;
  getRateLimit(scope: RateLimitScope, sid: string): Promise<RateLimit | undefined>;
  /** One page of the service's rate limits in (dateCreated, sid) order. */
  listRateLimits(scope: RateLimitScope, page: PageQuery): Promise<RateLimit[]>;
  updateRateLimit(scope: RateLimitScope, sid: string, description: string | undefined, now: number): Promise<RateLimit | undefined>;
  /** Deletes the rate limit with its buckets and their counters; false when it did not exist. */
  deleteRateLimit(scope: RateLimitScope, sid: string): Promise<boolean>;

  /** Inserts unless the rate limit already has `maxPerRateLimit` buckets ('missing' when the rate limit is not in scope). */
  insertBucket(scope: RateLimitScope, b: RateLimitBucket, maxPerRateLimit: number): Promise<InsertOutcome>;
  getBucket(scope: RateLimitScope, rateLimitSid: string, sid: string): Promise<RateLimitBucket | undefined>;
  listBuckets(scope: RateLimitScope, rateLimitSid: string, page: PageQuery): Promise<RateLimitBucket[]>;
  updateBucket(scope: RateLimitScope, rateLimitSid: string, sid: string, change: { max?: number; interval?: number }, now: number): Promise<RateLimitBucket | undefined>;
  deleteBucket(scope: RateLimitScope, rateLimitSid: string, sid: string): Promise<boolean>;

  /** Deletes counters whose window ended by `now`, `chunk` rows read at a time (default: storage's). */
  purgeRateLimitHits(now: number, chunk?: number): Promise<number>;
}

/** The part of a start's transaction that counts hits (VerificationTx extends it). */
export interface RateLimitTx {
  /**
   * Names in `values` the service has no rate limit for; when there are none, counts one hit on
   * every bucket of every named rate limit for its value and returns each bucket's count. A counter
   * whose window ended starts a new one of the bucket's interval at `now`. Rows are locked until the
   * transaction ends, so concurrent starts metering one value count one after the other, and a
   * rollback takes the hits back.
   */
  countRateLimitHits(serviceSid: string, values: MeteredValue[], now: number): Promise<{ unknown: string[]; counts: BucketCount[] }>;
}
