import { normalizeTarget } from '../address.js';
import type { Clock } from '../clock.js';
import { enforceApiThrottle } from '../api-throttle.js';
import { notFound } from '../errors.js';
import type { ApiThrottleStore, AttemptFilter, AttemptStore, PageQuery, SummaryFilter } from '../ports.js';
import type { SendAttempt } from '../types.js';

export interface AttemptsDeps {
  store: AttemptStore;
  throttle: ApiThrottleStore;
  clock: Clock;
  /** Requests per minute per account to the Attempts endpoints (Twilio: 100). */
  ratePerMinute: number;
}

/** The Attempts endpoints' per-account limit (see enforceApiThrottle). */
export function throttleAttempts(deps: AttemptsDeps, accountSid: string): Promise<void> {
  return enforceApiThrottle(deps.throttle, deps.clock, `attempts:${accountSid}`, deps.ratePerMinute);
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
