import { normalizeTarget } from '../address.js';
import type { Clock } from '../clock.js';
import { TwilioError, notFound } from '../errors.js';
import type { ApiThrottleStore, AttemptFilter, AttemptStore, PageQuery, SummaryFilter } from '../ports.js';
import type { SendAttempt } from '../types.js';

export interface AttemptsDeps {
  store: AttemptStore;
  throttle: ApiThrottleStore;
  clock: Clock;
  /** Requests per minute per account to the Attempts endpoints (Twilio: 100). */
  ratePerMinute: number;
}

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows counted in the database, so every node sharing it enforces one limit.
 * Beyond the limit: 429 20429 with Retry-After (seconds to the next window).
 */
export async function enforceApiThrottle(deps: AttemptsDeps, accountSid: string): Promise<void> {
  const now = deps.clock.now().getTime();
  const windowStart = now - (now % WINDOW_MS);
  const hits = await deps.throttle.hitApiThrottle(`attempts:${accountSid}`, windowStart);
  if (hits > deps.ratePerMinute) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    throw new TwilioError(20429, 'Too many requests', { headers: { 'Retry-After': String(retryAfter) } });
  }
}

export async function fetchAttempt(deps: AttemptsDeps, accountSid: string, sid: string): Promise<SendAttempt> {
  const attempt = await deps.store.getAttempt(accountSid, sid);
  if (!attempt) throw notFound(`/Attempts/${sid}`);
  return attempt;
}

/** `filter.to` is looked up in the form start stored it (E.164, e-mail folded to lower case). */
export function listAttempts(deps: AttemptsDeps, accountSid: string, filter: AttemptFilter, page: PageQuery) {
  const to = filter.to === undefined ? undefined : normalizeTarget(filter.to);
  return deps.store.listAttempts(accountSid, { ...filter, to }, page);
}

export interface AttemptSummary {
  totalAttempts: number;
  totalConverted: number;
  totalUnconverted: number;
  /** Twilio sends a string: up to 9 decimals, trailing zeros dropped ("81.818181818", "50", "0"). */
  conversionRatePercentage: string;
}

export async function summarize(deps: AttemptsDeps, accountSid: string, filter: SummaryFilter): Promise<AttemptSummary> {
  const { total, converted } = await deps.store.summarizeAttempts(accountSid, filter);
  const rate = total === 0 ? '0' : ((converted * 100) / total).toFixed(9).replace(/\.?0+$/, '');
  return { totalAttempts: total, totalConverted: converted, totalUnconverted: total - converted, conversionRatePercentage: rate };
}
