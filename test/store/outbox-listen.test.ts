/**
 * On PostgreSQL a commit to the outbox by one process wakes the dispatchers of the others
 * (LISTEN/NOTIFY), and only at commit: a rolled-back event notifies nobody. A listening session the
 * server terminates is opened again by itself.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import pg from 'pg';
import { newSid } from '../../src/domain/ids.js';
import { openStores } from '../../src/storage/open.js';
import { ADMIN_URL, postgresStore } from '../support/databases.js';
import { T0 } from './fixtures.js';

const sinkOf = (acct: string) => ({ sid: newSid('DG'), accountSid: acct, description: 'd', sinkType: 'webhook' as const, config: { destination: 'http://127.0.0.1:9/', method: 'POST' as const, batch_events: false }, status: 'active' as const, dateCreated: T0, dateUpdated: T0 });
const eventOf = (acct: string) => ({ id: newSid('NO'), accountSid: acct, type: 't', partitionKey: 'p', payload: {} as never, testId: null, dateCreated: T0 });

test('an outbox commit on one node notifies listeners on another [postgres]', async (t) => {
  const opened = await postgresStore();
  if ('skip' in opened) return t.skip(opened.skip);
  const other = await openStores({ databaseUrl: opened.url, sqlitePath: '', poolSize: 2 });
  let notified = 0;
  const watch = await opened.stores.outbox.watchOutbox!(() => notified++);
  // Each (re)connection calls once on its own, for commits made while nobody listened.
  assert.equal(notified, 1);
  notified = 0;
  try {
    const acct = newSid('AC');
    const sink = sinkOf(acct);
    await other.sinks.insertSink(sink);
    const event = () => eventOf(acct);

    await assert.rejects(
      other.verifications.transaction(async (tx) => {
        await tx.insertEvent(event(), [sink.sid]);
        throw new Error('rolled back');
      }),
    );
    await sleep(300);
    assert.equal(notified, 0, 'a rolled-back event notifies nobody');

    await other.verifications.transaction((tx) => tx.insertEvent(event(), [sink.sid]));
    for (let waited = 0; notified === 0 && waited < 5000; waited += 20) await sleep(20);
    assert.equal(notified, 1, 'the commit notified the other node');
  } finally {
    await watch.close();
    await other.close();
    await opened.cleanup();
  }
});

test('the listening connection comes back after the server terminates it, and looks once for what it missed [postgres]', async (t) => {
  const opened = await postgresStore();
  if ('skip' in opened) return t.skip(opened.skip);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  let notified = 0;
  const watch = await opened.stores.outbox.watchOutbox!(() => notified++);
  try {
    notified = 0;
    const name = new URL(opened.url).pathname.slice(1);
    const killed = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query ILIKE 'LISTEN%'`, [name]);
    assert.equal(killed.rowCount, 1, 'the listening session was terminated');
    // The reconnection reports itself once, as commits may have been missed meanwhile...
    for (let waited = 0; notified === 0 && waited < 10_000; waited += 20) await sleep(20);
    assert.equal(notified, 1, 'reconnected and looked once');
    // ...and listens again: a commit now is heard.
    const acct = newSid('AC');
    const sink = sinkOf(acct);
    await opened.stores.sinks.insertSink(sink);
    await opened.stores.outbox.enqueueEvent(eventOf(acct), [sink.sid]);
    for (let waited = 0; notified === 1 && waited < 5000; waited += 20) await sleep(20);
    assert.equal(notified, 2, 'the commit after the reconnection was heard');
  } finally {
    await watch.close();
    await admin.end();
    await opened.cleanup();
  }
});
