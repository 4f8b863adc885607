/**
 * SQLite's plan of a start's admission read (storage/admission.ts): every read of the pumping
 * guard's counters is a range scan of the primary key on all three of its columns. A read narrowed
 * by service_sid alone (as an `(prefix ...) OR (range ...)` filter once was) visits every counter
 * row of the service, a cost that grows with its traffic, on every sms start. PostgreSQL plans by
 * cost and statistics, so its plan on a test's few rows says nothing; this is SQLite's only.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { newSid } from '../../src/domain/ids.js';
import { pumpingKeys } from '../../src/domain/protection/pumping.js';
import { admissionQuery } from '../../src/storage/admission.js';
import { sqliteStore } from '../support/databases.js';
import { T0 } from './fixtures.js';

test("the admission read scans the guard's counters by their whole key", async () => {
  const opened = await sqliteStore();
  const raw = new Database(opened.path, { readonly: true });
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
  try {
    const to = '+447400123456';
    const compiled = admissionQuery({ accountSid: newSid('AC'), serviceSid: newSid('VA'), channel: 'sms', to, pumping: { keys: pumpingKeys(to), defaultLevel: 'standard' }, now: T0 }).compile(db);
    const plan = raw.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as Array<{ detail: string }>;
    const counters = plan.map((p) => p.detail).filter((d) => d.includes('pumping_counters'));
    assert.equal(counters.length, 2, `the prefix's scan and the range's: ${JSON.stringify(plan)}`);
    for (const d of counters) assert.match(d, /USING PRIMARY KEY \(service_sid=\? AND counter_key=\? AND bucket>\?\)/);
    const others = plan.map((p) => p.detail).filter((d) => /geo_permissions|safe_list|pumping_guard_settings/.test(d));
    for (const d of others) assert.match(d, /^SEARCH .* USING (PRIMARY KEY|INDEX|COVERING INDEX)/, d);
    assert.equal(others.length, 4, JSON.stringify(plan));
  } finally {
    await db.destroy();
    await opened.cleanup();
  }
});
