/**
 * Store conformance for SinkStore and OutboxStore. Sinks and subscriptions (filters, cascades, account
 * scope), the outbox written inside a verification transaction, and the delivery side: leased
 * claims, settlement guarded by the claim token, the concurrency of claims, and the purge.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { MissingParent } from '../../src/domain/ports.js';
import type { ClaimedDelivery, OutboxEvent } from '../../src/domain/events/types.js';
import type { Stores } from '../../src/storage/stores.js';
import { forEachBackend } from '../support/databases.js';
import { T0, sink, subscription } from './fixtures.js';

const PENDING = 'com.twilio.accountsecurity.verify.verification.pending';
const APPROVED = 'com.twilio.accountsecurity.verify.verification.approved';

const event = (accountSid: string, over: Partial<OutboxEvent> = {}): OutboxEvent => {
  const id = newSid('NO');
  return {
    id,
    accountSid,
    type: PENDING,
    partitionKey: newSid('VE'),
    payload: { specversion: '1.0', type: PENDING, source: '/x', id, time: new Date(T0).toISOString(), dataschema: 'x', datacontenttype: 'application/json', data: { n: 1 } },
    testId: null,
    dateCreated: T0,
    ...over,
  };
};

const attempt = (d: ClaimedDelivery, ok: boolean, at = T0 + 10) => ({
  deliveryId: d.id,
  sinkSid: d.sink.sid,
  attemptedAt: at,
  ok,
  statusCode: ok ? 200 : 500,
  error: ok ? null : 'HTTP 500',
  latencyMs: 3,
});

async function subscribed(stores: Stores, accountSid: string, types: string[]) {
  const s = sink(accountSid);
  await stores.sinks.insertSink(s);
  const sub = subscription(s);
  await stores.sinks.insertSubscription(sub, types.map((type) => ({ subscriptionSid: sub.sid, accountSid, type, schemaVersion: 2 })));
  return { sink: s, sub };
}

/** Claims everything due at `now`, oldest first. */
const claimAll = (stores: Stores, now: number, lease = 60_000) => stores.outbox.claimDeliveries(now, now + lease, 1000);

forEachBackend('store conformance: event streams', async (t, stores) => {
  await t.test('sinks: stored as given, scoped to the account, filtered by status and use', async () => {
    const acct = newSid('AC');
    const a = sink(acct, { dateCreated: T0 + 1 });
    const b = sink(acct, { sinkType: 'kinesis', config: { arn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s', role_arn: 'arn:aws:iam::000000000000:role/r', external_id: 'e' }, dateCreated: T0 + 2 });
    await stores.sinks.insertSink(a);
    await stores.sinks.insertSink(b);
    await stores.sinks.insertSubscription(subscription(a), []);
    assert.deepEqual(await stores.sinks.getSink(acct, b.sid), b);
    assert.equal(await stores.sinks.getSink(newSid('AC'), a.sid), undefined, 'another account does not see it');
    const page = { offset: 0, limit: 50 };
    assert.deepEqual((await stores.sinks.listSinks(acct, {}, page)).map((s) => s.sid), [a.sid, b.sid]);
    assert.deepEqual((await stores.sinks.listSinks(acct, { inUse: true }, page)).map((s) => s.sid), [a.sid]);
    assert.deepEqual((await stores.sinks.listSinks(acct, { inUse: false }, page)).map((s) => s.sid), [b.sid]);
    assert.deepEqual((await stores.sinks.listSinks(acct, { status: 'failed' }, page)).map((s) => s.sid), []);
    assert.deepEqual((await stores.sinks.listSinks(acct, {}, { cursor: { dateCreated: a.dateCreated, sid: a.sid }, offset: 0, limit: 50 })).map((s) => s.sid), [b.sid]);
    const updated = await stores.sinks.updateSinkDescription(acct, a.sid, 'renamed', T0 + 5);
    assert.equal(updated?.description, 'renamed');
    assert.equal(updated?.dateUpdated, T0 + 5);
    assert.equal(await stores.sinks.updateSinkDescription(newSid('AC'), a.sid, 'x', T0), undefined);
  });

  await t.test('subscriptions need their sink; deleting a sink takes its subscriptions and deliveries', async () => {
    const acct = newSid('AC');
    await assert.rejects(stores.sinks.insertSubscription(subscription(sink(acct)), []), MissingParent);
    const { sink: s, sub } = await subscribed(stores, acct, [PENDING, APPROVED]);
    assert.deepEqual((await stores.sinks.listSubscribedEvents(acct, sub.sid, { offset: 0, limit: 50 })).map((e) => e.type), [APPROVED, PENDING]);
    assert.deepEqual((await stores.sinks.listSubscribedEvents(acct, sub.sid, { afterType: APPROVED, offset: 0, limit: 50 })).map((e) => e.type), [PENDING]);
    assert.equal(await stores.sinks.putSubscribedEvent({ subscriptionSid: sub.sid, accountSid: acct, type: APPROVED, schemaVersion: 3 }), false, 'existing type is updated');
    assert.equal((await stores.sinks.getSubscribedEvent(acct, sub.sid, APPROVED))?.schemaVersion, 3);
    const e = event(acct);
    await stores.outbox.enqueueEvent(e, [s.sid]);
    assert.equal((await stores.outbox.deliveryStatus(e.id)).length, 1);
    assert.equal(await stores.sinks.deleteSink(newSid('AC'), s.sid), false, 'another account cannot delete it');
    assert.equal(await stores.sinks.deleteSink(acct, s.sid), true);
    assert.equal(await stores.sinks.getSubscription(acct, sub.sid), undefined);
    assert.deepEqual(await stores.sinks.listSubscribedEvents(acct, sub.sid, { offset: 0, limit: 50 }), []);
    assert.deepEqual(await stores.outbox.deliveryStatus(e.id), []);
  });

  await t.test('the outbox: sinks by type, written and rolled back with the transaction', async () => {
    const acct = newSid('AC');
    const one = await subscribed(stores, acct, [PENDING]);
    const two = await subscribed(stores, acct, [PENDING, APPROVED]);
    // A second subscription of the same sink to the same type must not deliver twice.
    const twice = subscription(two.sink);
    await stores.sinks.insertSubscription(twice, [{ subscriptionSid: twice.sid, accountSid: acct, type: PENDING, schemaVersion: 2 }]);
    const sinks = await stores.verifications.transaction((tx) => tx.subscribedSinks(acct, PENDING));
    assert.deepEqual([...sinks].sort(), [one.sink.sid, two.sink.sid].sort());
    assert.deepEqual(await stores.verifications.transaction((tx) => tx.subscribedSinks(acct, APPROVED)), [two.sink.sid]);
    assert.deepEqual(await stores.verifications.transaction((tx) => tx.subscribedSinks(newSid('AC'), PENDING)), [], 'other accounts see nothing');

    const kept = event(acct);
    const dropped = event(acct);
    await stores.verifications.transaction((tx) => tx.insertEvent(kept, sinks));
    await assert.rejects(
      stores.verifications.transaction(async (tx) => {
        await tx.insertEvent(dropped, sinks);
        throw new Error('rolled back');
      }),
    );
    assert.equal((await stores.outbox.deliveryStatus(kept.id)).length, 2);
    assert.deepEqual(await stores.outbox.deliveryStatus(dropped.id), []);
    // Leave nothing due for the claim tests below.
    for (const d of await claimAll(stores, T0 + 1)) await stores.outbox.settleDeliveries([{ delivery: d, attempt: attempt(d, true), retryAt: null }]);
  });

  await t.test('claims are leases: a claimed delivery is not due again until the lease ends', async () => {
    const acct = newSid('AC');
    const { sink: s } = await subscribed(stores, acct, [PENDING]);
    const e = event(acct, { dateCreated: T0 + 100 });
    await stores.outbox.enqueueEvent(e, [s.sid]);
    assert.deepEqual(await claimAll(stores, T0 + 99), [], 'not due before it was written');
    const [d, ...rest] = await claimAll(stores, T0 + 100, 1000);
    assert.equal(rest.length, 0);
    assert.ok(d);
    assert.equal(d.event.id, e.id);
    assert.deepEqual(d.event.payload, e.payload);
    assert.equal(d.sink.sid, s.sid);
    assert.equal(d.attempts, 0);
    assert.deepEqual(await claimAll(stores, T0 + 1099), [], 'leased');
    const again = await claimAll(stores, T0 + 1100);
    assert.equal(again.length, 1, 'the lease lapsed: claimable again');
    assert.notEqual(again[0]!.claim, d.claim);

    // The first claim's late outcome is recorded, but the current claim decides the state.
    await stores.outbox.settleDeliveries([{ delivery: d, attempt: attempt(d, false), retryAt: T0 + 5000 }]);
    let [status] = await stores.outbox.deliveryStatus(e.id);
    assert.equal(status!.state, 'pending');
    assert.equal(status!.attempts, 0, 'a stale claim does not count');
    assert.equal(status!.history.length, 1);
    await stores.outbox.settleDeliveries([{ delivery: again[0]!, attempt: attempt(again[0]!, true, T0 + 1200), retryAt: null }]);
    [status] = await stores.outbox.deliveryStatus(e.id);
    assert.equal(status!.state, 'delivered');
    assert.equal(status!.attempts, 1);
    assert.deepEqual(status!.history.map((h) => [h.ok, h.statusCode, h.error]), [[false, 500, 'HTTP 500'], [true, 200, null]]);
    assert.deepEqual(await claimAll(stores, T0 + 10_000_000), [], 'delivered is never claimed again');
  });

  await t.test('renewing leases moves only the deliveries still under their claim', async () => {
    const acct = newSid('AC');
    const { sink: s } = await subscribed(stores, acct, [PENDING]);
    const [e1, e2, e3] = [event(acct, { dateCreated: T0 + 150 }), event(acct, { dateCreated: T0 + 150 }), event(acct, { dateCreated: T0 + 150 })];
    for (const e of [e1!, e2!, e3!]) await stores.outbox.enqueueEvent(e, [s.sid]);
    const mine = await claimAll(stores, T0 + 150, 1000);
    assert.equal(mine.length, 3);
    const [kept, settled, lapsed] = mine.sort((x, y) => x.id - y.id);
    await stores.outbox.settleDeliveries([{ delivery: settled!, attempt: attempt(settled!, true), retryAt: null }]);
    assert.deepEqual(await stores.outbox.renewLeases([kept!], T0 + 1000, T0 + 3000), [kept!.id]);
    // The third was not renewed: its lease lapses and another claim takes it over.
    const theirs = await claimAll(stores, T0 + 1150, 1000);
    assert.deepEqual(theirs.map((d) => d.id), [lapsed!.id]);

    assert.deepEqual(await stores.outbox.renewLeases(mine, T0 + 1200, T0 + 5000), [kept!.id], 'only the one still held');
    const statuses = await Promise.all([kept!, lapsed!].map(async (d) => (await stores.outbox.deliveryStatus(d.event.id))[0]!.nextAttemptAt));
    assert.deepEqual(statuses, [T0 + 5000, T0 + 1150 + 1000], "renewed; the other claim's lease untouched");
    const later = await claimAll(stores, T0 + 4999);
    assert.deepEqual(later.map((d) => d.id), [lapsed!.id], 'the renewed one is not due before its new lease ends');
    assert.deepEqual(await stores.outbox.renewLeases([], T0, T0), []);
    for (const d of [kept!, later[0]!]) await stores.outbox.settleDeliveries([{ delivery: d, attempt: attempt(d, true), retryAt: null }]);
  });

  await t.test('a failed attempt is due again at retryAt; null retryAt fails it for good', async () => {
    const acct = newSid('AC');
    const { sink: s } = await subscribed(stores, acct, [PENDING]);
    const e = event(acct, { dateCreated: T0 + 200 });
    await stores.outbox.enqueueEvent(e, [s.sid]);
    const [d] = await claimAll(stores, T0 + 200);
    await stores.outbox.settleDeliveries([{ delivery: d!, attempt: attempt(d!, false, T0 + 200), retryAt: T0 + 300 }]);
    assert.deepEqual(await claimAll(stores, T0 + 299), []);
    const [d2] = await claimAll(stores, T0 + 300);
    assert.equal(d2!.attempts, 1);
    await stores.outbox.settleDeliveries([{ delivery: d2!, attempt: attempt(d2!, false, T0 + 300), retryAt: null }]);
    const [status] = await stores.outbox.deliveryStatus(e.id);
    assert.equal(status!.state, 'failed');
    assert.equal(status!.attempts, 2);
    assert.deepEqual(await claimAll(stores, T0 + 10_000_000), []);
  });

  await t.test('concurrent claimers never hold the same delivery', async () => {
    const acct = newSid('AC');
    const { sink: s } = await subscribed(stores, acct, [PENDING]);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const e = event(acct, { dateCreated: T0 + 400 });
      ids.push(e.id);
      await stores.outbox.enqueueEvent(e, [s.sid]);
    }
    const batches = await Promise.all(Array.from({ length: 6 }, () => stores.outbox.claimDeliveries(T0 + 400, T0 + 60_400, 15)));
    const claimed = batches.flat().map((d) => d.event.id);
    assert.equal(new Set(claimed).size, claimed.length, 'no delivery in two claims');
    assert.equal(claimed.length, 60, 'every due delivery was claimed by someone');
    for (const d of batches.flat()) await stores.outbox.settleDeliveries([{ delivery: d, attempt: attempt(d, true), retryAt: null }]);
  });

  await t.test('a claim gives no account more than its room, and searches past a full account\'s backlog', async () => {
    const NOW = T0 + 5_000_000;
    await claimAll(stores, NOW - 1); // the other cases' leftovers: leased past NOW
    const a = newSid('AC');
    const b = newSid('AC');
    const { sink: sa } = await subscribed(stores, a, []);
    const { sink: sb } = await subscribed(stores, b, []);
    // A's backlog is older: oldest first alone would fill the claim with it.
    for (let i = 0; i < 6; i++) await stores.outbox.enqueueEvent(event(a, { dateCreated: NOW + i }), [sa.sid]);
    for (let i = 0; i < 2; i++) await stores.outbox.enqueueEvent(event(b, { dateCreated: NOW + 10 + i }), [sb.sid]);
    const accountsOf = (claims: ClaimedDelivery[]) => claims.map((d) => (d.sink.accountSid === a ? 'A' : 'B'));

    const first = await stores.outbox.claimDeliveries(NOW + 100, NOW + 60_000, 5, { perAccount: 2, held: new Map([[a, 1]]) });
    assert.deepEqual(accountsOf(first), ['A', 'B', 'B'], 'A had room for one; B\'s deliveries are reached past A\'s backlog');
    const full = await stores.outbox.claimDeliveries(NOW + 100, NOW + 60_000, 5, { perAccount: 2, held: new Map([[a, 2]]) });
    assert.deepEqual(full, [], 'an account at its cap is left alone');
    const uncapped = await stores.outbox.claimDeliveries(NOW + 100, NOW + 60_000, 5, { perAccount: 2, sinks: [sb.sid] });
    assert.deepEqual(accountsOf(uncapped), ['A', 'A'], 'holding nothing, A gets its cap');
  });

  await t.test('a batch settles even when one of its deliveries went with its sink meanwhile', async () => {
    const acct = newSid('AC');
    const gone = await subscribed(stores, acct, [PENDING]);
    const kept = await subscribed(stores, acct, [PENDING]);
    const e = event(acct, { dateCreated: T0 + 500 });
    await stores.outbox.enqueueEvent(e, [gone.sink.sid, kept.sink.sid]);
    const claimed = await claimAll(stores, T0 + 500);
    assert.equal(claimed.length, 2);
    await stores.sinks.deleteSink(acct, gone.sink.sid);
    await stores.outbox.settleDeliveries(claimed.map((d) => ({ delivery: d, attempt: attempt(d, true), retryAt: null })));
    const status = await stores.outbox.deliveryStatus(e.id);
    assert.deepEqual(status.map((d) => [d.sinkSid, d.state, d.history.length]), [[kept.sink.sid, 'delivered', 1]]);
  });

  await t.test('test events are found by sink and test id; the purge keeps what is still pending', async () => {
    const acct = newSid('AC');
    const { sink: s } = await subscribed(stores, acct, []);
    const testId = newSid('TE');
    const old = event(acct, { testId, dateCreated: T0 - 1000 });
    const stuck = event(acct, { dateCreated: T0 - 1000 });
    await stores.outbox.enqueueEvent(old, [s.sid]);
    await stores.outbox.enqueueEvent(stuck, [s.sid]);
    assert.equal((await stores.outbox.findTestEvent(acct, s.sid, testId))?.id, old.id);
    assert.equal(await stores.outbox.findTestEvent(acct, newSid('DG'), testId), undefined);
    assert.equal(await stores.outbox.findTestEvent(newSid('AC'), s.sid, testId), undefined);
    const claims = await claimAll(stores, T0 - 1000);
    const mine = claims.find((d) => d.event.id === old.id)!;
    await stores.outbox.settleDeliveries([{ delivery: mine, attempt: attempt(mine, true), retryAt: null }]);
    assert.ok((await stores.outbox.purgeEvents(T0, 1000)) >= 1);
    assert.deepEqual(await stores.outbox.deliveryStatus(old.id), [], 'delivered and old: purged');
    assert.equal((await stores.outbox.deliveryStatus(stuck.id)).length, 1, 'still being delivered: kept');
  });
});
