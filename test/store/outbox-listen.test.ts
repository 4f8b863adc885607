/**
 * On PostgreSQL a commit to the outbox by one process wakes the dispatchers of the others
 * (LISTEN/NOTIFY), and only at commit: a rolled-back event notifies nobody.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { newSid } from '../../src/domain/ids.js';
import { openStores } from '../../src/storage/open.js';
import { postgresStore } from '../support/databases.js';
import { T0 } from './fixtures.js';

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
    const sink = { sid: newSid('DG'), accountSid: acct, description: 'd', sinkType: 'webhook' as const, config: { destination: 'http://127.0.0.1:9/', method: 'POST' as const, batch_events: false }, status: 'active' as const, dateCreated: T0, dateUpdated: T0 };
    await other.sinks.insertSink(sink);
    const event = (id = newSid('NO')) => ({ id, accountSid: acct, type: 't', partitionKey: 'p', payload: {} as never, testId: null, dateCreated: T0 });

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
