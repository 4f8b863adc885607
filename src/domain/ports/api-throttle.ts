/**
 * Fixed-window request counters shared by every node on one database: the throttle verifyd puts on
 * its own API (e.g. the Attempts endpoints' 100 requests a minute). Not Service Rate Limits, which
 * count starts per end-user key.
 */
export interface ApiThrottleStore {
  /** Counts one hit in a fixed window and returns the window's count so far (atomic across nodes). */
  hitApiThrottle(bucket: string, windowStart: number): Promise<number>;
  /** Drops counters of windows that started before `before`. */
  purgeApiThrottle(before: number): Promise<void>;
}
