import { TwilioError, verifyInvalidParam } from '../errors.js';
import type { RateLimitTx } from '../ports.js';
import { MAX_RATE_LIMITS_PER_SERVICE } from './rate-limits.js';

/**
 * The start's Service Rate Limits step (docs/protection.md): one hit on every bucket of each named
 * rate limit for its value, inside the start's transaction. Any bucket past its `max` refuses the
 * start with 20429; so does any later step of the start (60202, 60203, ...), and in every case the
 * transaction rolls back, taking this start's hits with it: only starts that are accepted count.
 */
export async function meterStart(
  tx: RateLimitTx,
  serviceSid: string,
  rateLimits: Readonly<Record<string, string>> | null,
  now: number,
  // The metered value as stored: an IP address or a user id is not kept as given (CodeKeyring.meteredValue).
  hashOf: (value: string) => string,
): Promise<void> {
  if (rateLimits === null) return;
  const entries = Object.entries(rateLimits);
  // More names than a service can have cannot all be known: refused before the database is asked.
  if (entries.length > MAX_RATE_LIMITS_PER_SERVICE) throw verifyInvalidParam('RateLimits');
  const values = entries.map(([name, value]) => ({ name, valueHash: hashOf(value) }));
  const { unknown, counts } = await tx.countRateLimitHits(serviceSid, values, now);
  if (unknown.length > 0) throw verifyInvalidParam('RateLimits');
  const over = counts.filter((c) => c.hits > c.max);
  if (over.length === 0) return;
  // A retry passes once every full bucket's window has ended: the latest end decides.
  const last = over.reduce((a, b) => (b.windowEnd > a.windowEnd ? b : a));
  throw new TwilioError(20429, undefined, {
    headers: {
      'Retry-After': String(Math.max(1, Math.ceil((last.windowEnd - now) / 1000))),
      'Twilio-Reached-Rate-Limit': last.rateLimitName,
    },
  });
}
