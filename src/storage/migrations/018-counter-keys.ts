import type { Dialect } from './index.js';

/**
 * Counter tables a protected start writes, keyed for fewer pages per commit (issue 13's CPU aim):
 * - rate_limit_hits is keyed (value_hash, bucket_sid), so one value's counters in every bucket of a
 *   rate limit share a leaf page, where (bucket_sid, value_hash) put each in a page of its own;
 * - neither counter table keeps an index by time any more (a start wrote a page of it per counter
 *   row): the purges sweep them in key order instead (storage/key-sweep.ts);
 * - rate_limit_hits loses its foreign key to its bucket: a deleted bucket's counters are never read
 *   again (bucket sids are not reused) and are swept when their window ends, where the cascade needed
 *   an index by bucket, another page per counter.
 * The counters are copied across, so a window in progress keeps its count.
 */
export function counterKeysSchema(d: Dialect): string[] {
  const clustered = d === 'sqlite' ? ' WITHOUT ROWID' : '';
  return [
    `CREATE TABLE rate_limit_hits_018 (value_hash TEXT NOT NULL, bucket_sid TEXT NOT NULL, window_end BIGINT NOT NULL,
       hits INTEGER NOT NULL, CONSTRAINT rate_limit_hits_key PRIMARY KEY (value_hash, bucket_sid))${clustered}`,
    `INSERT INTO rate_limit_hits_018 (value_hash, bucket_sid, window_end, hits) SELECT value_hash, bucket_sid, window_end, hits FROM rate_limit_hits`,
    // Its index goes with it.
    `DROP TABLE rate_limit_hits`,
    `ALTER TABLE rate_limit_hits_018 RENAME TO rate_limit_hits`,
    `DROP INDEX pumping_counters_by_bucket`,
  ];
}
