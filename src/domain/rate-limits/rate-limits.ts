/**
 * Service Rate Limits (RK…) and their Buckets (BL…), as Twilio's API has them: a rate limit is a
 * name a start meters a value under (`RateLimits={"<unique_name>":"<value>"}`), each of its buckets
 * allows `max` starts per value within `interval` seconds (enforce.ts counts them). Limits Twilio
 * names without giving numbers are verifyd's choice (docs/protection.md).
 */
import type { Clock } from '../clock.js';
import { TwilioError, notFound, verifyInvalidParam } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import { UniqueViolation, type PageQuery, type RateLimit, type RateLimitBucket, type RateLimitScope, type RateLimitStore } from '../ports.js';
import type { Service } from '../types.js';

export interface RateLimitDeps {
  store: RateLimitStore;
  clock: Clock;
  ids: IdGenerator;
}

/** Twilio answers 60207 and 60210 past limits it does not publish; these are verifyd's. */
export const MAX_RATE_LIMITS_PER_SERVICE = 20;
export const MAX_BUCKETS_PER_RATE_LIMIT = 10;
/** 60209's rule ("alphanumeric characters and -, _ or ."), at most 100 of them. */
const UNIQUE_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const MAX_DESCRIPTION = 255;
/** A bucket allows 1 to a million starts per value, over 1 second to 30 days. */
export const BUCKET_MAX = { min: 1, max: 1_000_000 };
export const BUCKET_INTERVAL = { min: 1, max: 30 * 24 * 3600 };

const scopeOf = (s: Service): RateLimitScope => ({ accountSid: s.accountSid, serviceSid: s.sid });
const rateLimitPath = (s: Service, sid: string) => `/Services/${s.sid}/RateLimits/${sid}`;

function checkDescription(description: string | undefined): void {
  if (description !== undefined && [...description].length > MAX_DESCRIPTION) throw verifyInvalidParam('Description');
}

function checkRange(value: number | undefined, range: { min: number; max: number }, param: string): void {
  if (value !== undefined && (value < range.min || value > range.max)) throw verifyInvalidParam(param);
}

export async function createRateLimit(deps: RateLimitDeps, service: Service, input: { uniqueName?: string; description?: string }): Promise<RateLimit> {
  if (input.uniqueName === undefined || input.uniqueName === '') throw verifyInvalidParam('UniqueName');
  if (!UNIQUE_NAME.test(input.uniqueName)) throw new TwilioError(60209);
  checkDescription(input.description);
  const now = deps.clock.now().getTime();
  const r: RateLimit = {
    sid: deps.ids('RK'),
    accountSid: service.accountSid,
    serviceSid: service.sid,
    uniqueName: input.uniqueName,
    description: input.description ?? null,
    dateCreated: now,
    dateUpdated: now,
  };
  let outcome;
  try {
    outcome = await deps.store.insertRateLimit(r, MAX_RATE_LIMITS_PER_SERVICE);
  } catch (err) {
    if (err instanceof UniqueViolation) throw new TwilioError(60208);
    throw err;
  }
  if (outcome === 'full') throw new TwilioError(60207);
  if (outcome === 'missing') throw notFound(`/Services/${service.sid}/RateLimits`);
  return r;
}

export async function getRateLimit(deps: RateLimitDeps, service: Service, sid: string): Promise<RateLimit> {
  const r = await deps.store.getRateLimit(scopeOf(service), sid);
  if (!r) throw notFound(rateLimitPath(service, sid));
  return r;
}

export function listRateLimits(deps: RateLimitDeps, service: Service, page: PageQuery): Promise<RateLimit[]> {
  return deps.store.listRateLimits(scopeOf(service), page);
}

export async function updateRateLimit(deps: RateLimitDeps, service: Service, sid: string, input: { description?: string }): Promise<RateLimit> {
  checkDescription(input.description);
  const r = await deps.store.updateRateLimit(scopeOf(service), sid, input.description, deps.clock.now().getTime());
  if (!r) throw notFound(rateLimitPath(service, sid));
  return r;
}

export async function deleteRateLimit(deps: RateLimitDeps, service: Service, sid: string): Promise<void> {
  if (!(await deps.store.deleteRateLimit(scopeOf(service), sid))) throw notFound(rateLimitPath(service, sid));
}

const bucketPath = (s: Service, rateLimitSid: string, sid?: string) => `${rateLimitPath(s, rateLimitSid)}/Buckets${sid === undefined ? '' : `/${sid}`}`;

/** A duplicate Interval within one rate limit is Twilio's 60211. */
async function intervalTaken<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof UniqueViolation) throw new TwilioError(60211);
    throw err;
  }
}

export async function createBucket(deps: RateLimitDeps, service: Service, rateLimitSid: string, input: { max?: number; interval?: number }): Promise<RateLimitBucket> {
  if (input.max === undefined) throw verifyInvalidParam('Max');
  if (input.interval === undefined) throw verifyInvalidParam('Interval');
  checkRange(input.max, BUCKET_MAX, 'Max');
  checkRange(input.interval, BUCKET_INTERVAL, 'Interval');
  const now = deps.clock.now().getTime();
  const b: RateLimitBucket = {
    sid: deps.ids('BL'),
    accountSid: service.accountSid,
    serviceSid: service.sid,
    rateLimitSid,
    max: input.max,
    interval: input.interval,
    dateCreated: now,
    dateUpdated: now,
  };
  const outcome = await intervalTaken(() => deps.store.insertBucket(scopeOf(service), b, MAX_BUCKETS_PER_RATE_LIMIT));
  if (outcome === 'missing') throw notFound(bucketPath(service, rateLimitSid));
  if (outcome === 'full') throw new TwilioError(60210);
  return b;
}

export async function getBucket(deps: RateLimitDeps, service: Service, rateLimitSid: string, sid: string): Promise<RateLimitBucket> {
  const b = await deps.store.getBucket(scopeOf(service), rateLimitSid, sid);
  if (!b) throw notFound(bucketPath(service, rateLimitSid, sid));
  return b;
}

/** The rate limit's buckets; an unknown rate limit is a 404, not an empty list. */
export async function listBuckets(deps: RateLimitDeps, service: Service, rateLimitSid: string, page: PageQuery): Promise<RateLimitBucket[]> {
  if (!(await deps.store.getRateLimit(scopeOf(service), rateLimitSid))) throw notFound(bucketPath(service, rateLimitSid));
  return deps.store.listBuckets(scopeOf(service), rateLimitSid, page);
}

/** A new Max applies to the next start; a new Interval from the value's next window on. */
export async function updateBucket(deps: RateLimitDeps, service: Service, rateLimitSid: string, sid: string, input: { max?: number; interval?: number }): Promise<RateLimitBucket> {
  checkRange(input.max, BUCKET_MAX, 'Max');
  checkRange(input.interval, BUCKET_INTERVAL, 'Interval');
  const b = await intervalTaken(() => deps.store.updateBucket(scopeOf(service), rateLimitSid, sid, input, deps.clock.now().getTime()));
  if (!b) throw notFound(bucketPath(service, rateLimitSid, sid));
  return b;
}

export async function deleteBucket(deps: RateLimitDeps, service: Service, rateLimitSid: string, sid: string): Promise<void> {
  if (!(await deps.store.deleteBucket(scopeOf(service), rateLimitSid, sid))) throw notFound(bucketPath(service, rateLimitSid, sid));
}
