import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { newSid } from '../../src/domain/ids.js';
import { sqliteStore } from '../support/databases.js';
import { service } from './fixtures.js';

/**
 * The main SQLite connection only checkpoints past ~40 MB of WAL; the worker must move committed
 * pages into the database file on its own, and closing the store must stop it cleanly.
 */
test('the background checkpointer moves WAL pages into the database file', async () => {
  const opened = await sqliteStore();
  try {
    const dbFile = opened.path;
    const before = statSync(dbFile).size;
    const acct = newSid('AC');
    for (let i = 0; i < 2000; i++) await opened.stores.services.insertService({ ...service(acct), friendlyName: `Service ${i}` });
    let after = before;
    for (let waited = 0; waited < 10_000 && after <= before; waited += 200) {
      await sleep(200);
      after = statSync(dbFile).size;
    }
    assert.ok(after > before, `database file did not grow (${before} -> ${after} bytes): no checkpoint ran`);
  } finally {
    await opened.cleanup();
  }
});
