import type { Dialect } from './index.js';

/**
 * Service Rate Limits (RK…) and their Buckets (BL…), and the hit counters a start writes. Each
 * hangs off its parent with ON DELETE CASCADE: deleting a service removes its rate limits, a rate
 * limit its buckets, a bucket its counters. A counter row is one fixed window of one bucket for one
 * metered value (stored as a hash, never as given): docs/protection.md.
 */
export function rateLimitsSchema(d: Dialect): string[] {
  const ms = 'BIGINT';
  // A start writes a counter row per bucket: on SQLite, a table clustered on its key (no rowid)
  // makes that one b-tree write instead of two.
  const clustered = d === 'sqlite' ? ' WITHOUT ROWID' : '';
  return [
    `CREATE TABLE rate_limits (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL,
       service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE,
       unique_name TEXT NOT NULL, description TEXT, date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    // Unique per service, and the index a start looks names up by.
    `CREATE UNIQUE INDEX rate_limits_by_name ON rate_limits (service_sid, unique_name)`,
    `CREATE INDEX rate_limits_by_service ON rate_limits (service_sid, date_created, sid)`,
    `CREATE TABLE rate_limit_buckets (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, service_sid TEXT NOT NULL,
       rate_limit_sid TEXT NOT NULL REFERENCES rate_limits(sid) ON DELETE CASCADE,
       max_hits INTEGER NOT NULL, interval_seconds INTEGER NOT NULL, date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    // One bucket per interval in a rate limit (Twilio's 60211).
    `CREATE UNIQUE INDEX rate_limit_buckets_by_interval ON rate_limit_buckets (rate_limit_sid, interval_seconds)`,
    `CREATE INDEX rate_limit_buckets_by_rate_limit ON rate_limit_buckets (rate_limit_sid, date_created, sid)`,
    `CREATE TABLE rate_limit_hits (bucket_sid TEXT NOT NULL REFERENCES rate_limit_buckets(sid) ON DELETE CASCADE,
       value_hash TEXT NOT NULL, window_end ${ms} NOT NULL, hits INTEGER NOT NULL, PRIMARY KEY (bucket_sid, value_hash))${clustered}`,
    `CREATE INDEX rate_limit_hits_by_end ON rate_limit_hits (window_end)`,
  ];
}
