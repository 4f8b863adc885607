/**
 * Migration 018 rebuilds the rate-limit counters keyed by (value, bucket) and drops the two counter
 * tables' indexes by time: a window in progress keeps its count across it, and the purges (which no
 * longer have those indexes) still delete what lapsed. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { newSid } from '../../src/domain/ids.js';
import { connectStores } from '../../src/storage/open.js';
import { BACKENDS, emptyDatabase } from '../support/databases.js';
import { T0, service } from './fixtures.js';

for (const { name } of BACKENDS) {
  test(`migration 018 keeps the counters of windows in progress [${name}]`, async (t) => {
    const empty = await emptyDatabase(name);
    if ('skip' in empty) {
      t.skip(empty.skip);
      return;
    }
    const stores = connectStores(empty.cfg);
    try {
      const db = (stores as unknown as { db: import('kysely').Kysely<unknown> }).db;
      await stores.migrate('017-pumping-guard');
      const svc = service(newSid('AC'));
      await stores.services.insertService(svc);
      const scope = { accountSid: svc.accountSid, serviceSid: svc.sid };
      const rk = newSid('RK');
      await stores.rateLimits.insertRateLimit({ sid: rk, ...scope, uniqueName: 'ip', description: null, dateCreated: T0, dateUpdated: T0 }, 20);
      const bl = newSid('BL');
      await stores.rateLimits.insertBucket(scope, { sid: bl, ...scope, rateLimitSid: rk, max: 10, interval: 60, dateCreated: T0, dateUpdated: T0 }, 10);
      // As a version before 018 wrote them: a counter 3 hits into its window, and one that lapsed.
      await sql`INSERT INTO rate_limit_hits (bucket_sid, value_hash, window_end, hits) VALUES (${bl}, 'live', ${T0 + 60_000}, 3), (${bl}, 'old', ${T0 - 1}, 9)`.execute(db);
      await sql`INSERT INTO pumping_counters (service_sid, counter_key, bucket, starts, approvals) VALUES (${svc.sid}, 'p:+44740', ${T0 - 80 * 60_000}, 5, 0), (${svc.sid}, 'p:+44740', ${T0}, 2, 1)`.execute(db);

      await stores.migrate();

      const indexes =
        name === 'sqlite'
          ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('rate_limit_hits', 'pumping_counters')`.execute(db)
          : await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename IN ('rate_limit_hits', 'pumping_counters') AND indexname NOT LIKE '%pkey' AND indexname <> 'rate_limit_hits_key'`.execute(db);
      assert.deepEqual(indexes.rows, [], 'no index besides the primary keys');
      const counted = await stores.verifications.transaction((tx) => tx.countRateLimitHits(svc.sid, [{ name: 'ip', valueHash: 'live' }], T0 + 1));
      assert.deepEqual(counted.counts.map((c) => [c.hits, c.windowEnd]), [[4, T0 + 60_000]], 'the window goes on from its count');
      assert.equal(await stores.rateLimits.purgeRateLimitHits(T0), 1, 'the lapsed one');
      assert.equal(await stores.pumping.purgePumpingCounters(T0 - 70 * 60_000), 1);
    } finally {
      await stores.close();
      await empty.cleanup();
    }
  });
}
