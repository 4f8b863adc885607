/**
 * Migrations land from parallel branches, so a database may already have a later one when an
 * earlier-numbered one arrives: it is run then, not refused (Kysely refuses by default).
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { forEachBackend } from '../support/databases.js';

forEachBackend('migrations: one missing below the latest applied is run', async (_t, stores) => {
  const db = (stores as unknown as { db: import('kysely').Kysely<unknown> }).db;
  // As if 009 had landed after every later migration had already run here.
  await sql`DROP TABLE templates`.execute(db);
  await sql`DELETE FROM verifyd_migrations WHERE name = '009-templates'`.execute(db);
  await stores.migrate();
  const names = (await sql<{ name: string }>`SELECT name FROM verifyd_migrations ORDER BY name`.execute(db)).rows.map((r) => r.name);
  assert.ok(names.includes('009-templates'));
  assert.equal((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM templates`.execute(db)).rows.length, 1, 'the table is back');
});
