/** How failed deliveries are retried: exponential backoff with jitter, within a window. */
export interface RetryPolicy {
  /** Delay ceiling after the first failure; doubles with each further failure. */
  baseMs: number;
  /** The ceiling stops doubling here. */
  capMs: number;
  /** An event is retried until this long after it was written (Twilio: 4 hours), then given up. */
  windowMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 1_000, capMs: 10 * 60_000, windowMs: 4 * 60 * 60_000 };

/**
 * When to try again after the `failures`-th failed attempt (1-based), or null when the event's
 * window is over. The delay is drawn from the upper half of the ceiling ("equal jitter"), so
 * receivers that failed together do not come back in lockstep, yet the backoff still grows. The
 * last retry lands on the window's end, so a receiver that recovers in time still gets the event.
 */
export function retryAt(failures: number, writtenAt: number, now: number, p: RetryPolicy, random: () => number = Math.random): number | null {
  const deadline = writtenAt + p.windowMs;
  if (now >= deadline) return null;
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.min(failures - 1, 40));
  const delay = ceiling / 2 + (random() * ceiling) / 2;
  // Whole milliseconds: times are BIGINT epoch milliseconds in the store.
  return Math.min(Math.round(now + delay), deadline);
}
