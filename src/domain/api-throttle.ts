import type { Clock } from './clock.js';
import { TwilioError } from './errors.js';
import type { ApiThrottleStore } from './ports.js';

const WINDOW_MS = 60_000;

/**
 * Counts one request against `bucket` in fixed one-minute windows counted in the database, so
 * every node sharing it enforces one limit. Beyond `perMinute`: 429 20429 with Retry-After
 * (seconds to the next window). Each caller owns a bucket prefix (`attempts:`, `sink-test:`), so
 * two limits never count into one another.
 */
export async function enforceApiThrottle(
  throttle: Pick<ApiThrottleStore, 'hitApiThrottle'>,
  clock: Clock,
  bucket: string,
  perMinute: number,
): Promise<void> {
  const now = clock.now().getTime();
  const windowStart = now - (now % WINDOW_MS);
  const hits = await throttle.hitApiThrottle(bucket, windowStart);
  if (hits > perMinute) {
    const retryAfter = Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    throw new TwilioError(20429, 'Too many requests', { headers: { 'Retry-After': String(retryAfter) } });
  }
}
