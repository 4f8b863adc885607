/**
 * A sink deleted while a verification's transaction is writing events for it (PostgreSQL, where
 * the two run concurrently): the delete waits for the transaction, so the status change commits
 * with its event, and the delete then removes sink and deliveries. Without the lock the delivery
 * row would name a sink that is gone, and the verification change would fail with it.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { newSid } from '../../src/domain/ids.js';
import { openStores } from '../../src/storage/open.js';
import { postgresStore } from '../support/databases.js';
import { T0 } from './fixtures.js';

test('deleting a sink while a transaction writes its events waits for that transaction [postgres]', async (t) => {
  const opened = await postgresStore();
  if ('skip' in opened) return t.skip(opened.skip);
  const other = await openStores({ databaseUrl: opened.url, sqlitePath: '', poolSize: 2 });
  try {
    const stores = opened.stores;
    const acct = newSid('AC');
    const type = 'com.twilio.accountsecurity.verify.verification.pending';
    const sink = { sid: newSid('DG'), accountSid: acct, description: 'd', sinkType: 'webhook' as const, config: { destination: 'http://127.0.0.1:9/', method: 'POST' as const, batch_events: false }, status: 'active' as const, dateCreated: T0, dateUpdated: T0 };
    await stores.sinks.insertSink(sink);
    const sub = { sid: newSid('DF'), accountSid: acct, sinkSid: sink.sid, description: 's', dateCreated: T0, dateUpdated: T0 };
    await stores.sinks.insertSubscription(sub, [{ subscriptionSid: sub.sid, accountSid: acct, type, schemaVersion: 2 }]);
    const id = newSid('NO');

    let deleted: Promise<boolean> | undefined;
    await stores.verifications.transaction(async (tx) => {
      const sinks = await tx.subscribedSinks(acct, type);
      assert.deepEqual(sinks, [sink.sid]);
      deleted = other.sinks.deleteSink(acct, sink.sid);
      await sleep(300); // the delete would have committed by now, were it not waiting
      await tx.insertEvent({ id, accountSid: acct, type, partitionKey: 'VE', payload: {} as never, testId: null, dateCreated: T0 }, sinks);
    });
    assert.equal(await deleted, true);
    assert.equal(await stores.sinks.getSink(acct, sink.sid), undefined);
    assert.deepEqual(await stores.outbox.deliveryStatus(id), [], 'its deliveries went with the sink');
  } finally {
    await other.close();
    await opened.cleanup();
  }
});
