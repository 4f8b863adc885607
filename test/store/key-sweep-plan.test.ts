/**
 * SQLite's plan of the counter purges (storage/key-sweep.ts): with no index by time, every statement
 * of a sweep must be a range of the primary key, so a chunk reads about a chunk of rows. A delete
 * that scanned the table would read all of it once per chunk: a sweep quadratic in the table's size.
 * The first chunk has no lower bound: it reads from the table's start in key order (no sort).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type RawBuilder, type SqlBool } from 'kysely';
import { chunkEnd, deleteChunk, type SweptTable } from '../../src/storage/key-sweep.js';
import { COUNTERS } from '../../src/storage/pumping.js';
import { HITS } from '../../src/storage/rate-limits.js';
import { sqliteStore } from '../support/databases.js';

test('the counter sweeps read ranges of the primary key', async () => {
  const opened = await sqliteStore();
  const raw = new Database(opened.path, { readonly: true });
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
  const plan = (q: { compile(db: Kysely<unknown>): { sql: string; parameters: readonly unknown[] } }) => {
    const c = q.compile(db);
    return (raw.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...(c.parameters as unknown[])) as Array<{ detail: string }>).map((p) => p.detail);
  };
  try {
    const cases: Array<[SweptTable, RawBuilder<SqlBool>]> = [
      [HITS, sql<SqlBool>`window_end <= ${1}`],
      [COUNTERS, sql<SqlBool>`bucket < ${1}`],
    ];
    for (const [t, lapsed] of cases) {
      const key = t.key.map((c, i) => (c === 'bucket' ? i : `k${i}`));
      const pk = new RegExp(`^SEARCH ${t.table} USING PRIMARY KEY \\(\\(${t.key.join(',')}\\)>`);
      assert.deepEqual(plan(chunkEnd(t, null, 1000)), [`SCAN ${t.table}`], t.table);
      for (const d of [plan(chunkEnd(t, key, 1000)), plan(deleteChunk(t, key, key, lapsed)), plan(deleteChunk(t, key, null, lapsed))]) {
        assert.equal(d.length, 1, JSON.stringify(d));
        assert.match(d[0]!, pk);
      }
      // A first chunk's delete is bounded above only.
      assert.match(plan(deleteChunk(t, null, key, lapsed))[0]!, new RegExp(`^SEARCH ${t.table} USING PRIMARY KEY \\(\\(${t.key.join(',')}\\)<`));
    }
  } finally {
    await db.destroy();
    await opened.cleanup();
  }
});
