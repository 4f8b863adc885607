/**
 * Whether a signed webhook's `timestamp` (Unix seconds, as the carrier sends it) is within
 * `windowSeconds` of `nowMs` either way: a replay older than the window is refused.
 */
export function freshTimestamp(timestamp: unknown, nowMs: number, windowSeconds: number): timestamp is string {
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(Math.floor(nowMs / 1000) - Number(timestamp)) <= windowSeconds;
}
