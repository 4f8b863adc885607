/**
 * What one status change writes (src/domain/verification/transition.ts), driven through a real
 * SQLite store's transaction: the verification row, one status change record, the attempts'
 * outcome, and an outbox event only where the service streams events and a sink subscribes.
 * An illegal change throws before anything is written.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { STATUS_EVENT_TYPES } from '../../src/domain/events/catalog.js';
import { newSid } from '../../src/domain/ids.js';
import { defaultConfig } from '../../src/domain/service/service.js';
import type { Service, StatusCause, Verification, VerificationStatus } from '../../src/domain/types.js';
import { canTransition } from '../../src/domain/verification/state.js';
import { isLapsed, transition } from '../../src/domain/verification/transition.js';
import { sqliteStore } from '../support/databases.js';
import { label, triples } from '../support/lifecycle.js';
import { FAR, T0, send, service, sink, subscription, verification } from '../store/fixtures.js';

const NOW = T0 + 60_000;

test('transition, on a real SQLite store', async (t) => {
  const { stores, cleanup } = await sqliteStore();
  t.after(cleanup);

  const acct = newSid('AC');
  const withEvents = (on: boolean) => ({ config: { ...defaultConfig(), verifyEventSubscriptionEnabled: on } });
  const quiet = service(acct, withEvents(false));
  const streaming = service(acct, withEvents(true));
  // Streams events, but its account has no sink subscribed to anything.
  const unheard = service(newSid('AC'), withEvents(true));
  for (const s of [quiet, streaming, unheard]) await stores.services.insertService(s);
  const hook = sink(acct);
  await stores.sinks.insertSink(hook);
  const sub = subscription(hook);
  const types = Object.values(STATUS_EVENT_TYPES).map((type) => ({ subscriptionSid: sub.sid, accountSid: acct, type, schemaVersion: 2 }));
  await stores.sinks.insertSubscription(sub, types);

  let numbers = 0;
  /** A stored verification in `status` with one send, each with a To of its own. */
  async function stored(svc: Service, status: VerificationStatus = 'pending'): Promise<Verification> {
    const v = verification(svc, { status, to: `+1501712${String(numbers++).padStart(4, '0')}` });
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(send(v));
    });
    return v;
  }
  const apply = (svc: Service, v: Verification, to: VerificationStatus, cause: StatusCause) =>
    stores.verifications.transaction((tx) => transition(tx, svc, v, to, cause, NOW));
  // Leased until FAR, so each call sees only what was written since the last one.
  const newDeliveries = () => stores.outbox.claimDeliveries(NOW, FAR, 1000);
  const allowed = triples().filter((x) => canTransition(x.from, x.to, x.cause));

  await t.test('an allowed change stores the status, its record and (approved, expired) the attempts outcome', async () => {
    for (const { to, cause } of allowed) {
      const v = await stored(quiet);
      const before = structuredClone(v);
      const [sent] = await stores.verifications.listSends(v.sid);
      await apply(quiet, v, to, cause);
      const what = label({ from: 'pending', to, cause });

      const after = { ...before, status: to, dateUpdated: NOW };
      assert.deepEqual(v, after, `${what}: the caller's verification`);
      assert.deepEqual(await stores.verifications.getVerification(quiet.sid, v.sid), after, `${what}: the stored verification`);
      assert.deepEqual(
        await stores.verifications.listStatusChanges(v.sid),
        [{ verificationSid: v.sid, accountSid: acct, serviceSid: quiet.sid, fromStatus: 'pending', toStatus: to, cause, dateCreated: NOW }],
        what,
      );
      const outcome =
        to === 'approved'
          ? { converted: true, attemptStatus: 'confirmed', dateUpdated: NOW }
          : to === 'expired'
            ? { converted: false, attemptStatus: 'expired', dateUpdated: NOW }
            : {};
      assert.deepEqual(await stores.verifications.listSends(v.sid), [{ ...sent!, ...outcome }], `${what}: the attempt`);
    }
    assert.deepEqual(await newDeliveries(), [], 'a service without event subscriptions publishes nothing');
  });

  await t.test('a service with event subscriptions publishes the new status to each subscribed sink', async () => {
    for (const { to, cause } of allowed) {
      const v = await stored(streaming);
      await apply(streaming, v, to, cause);
      const what = label({ from: 'pending', to, cause });
      const deliveries = await newDeliveries();
      assert.equal(deliveries.length, 1, what);
      const { event, sink: target } = deliveries[0]!;
      assert.equal(target.sid, hook.sid, what);
      assert.equal(event.type, STATUS_EVENT_TYPES[to], what);
      assert.equal(event.accountSid, acct, what);
      assert.equal(event.partitionKey, v.sid, what);
      assert.equal(event.dateCreated, NOW, what);
      assert.equal(event.payload.type, STATUS_EVENT_TYPES[to], what);
      assert.equal(event.payload.id, event.id, what);
      const data = event.payload.data as Record<string, unknown>;
      assert.equal(data.verification_sid, v.sid, what);
      assert.equal(data.verification_status, to.toUpperCase(), what);
      assert.equal(data.verified_at, to === 'approved' ? new Date(NOW).toISOString() : null, what);
    }
  });

  await t.test('no sink of the account subscribed: nothing is published', async () => {
    for (const { to, cause } of allowed) {
      const v = await stored(unheard);
      await apply(unheard, v, to, cause);
      assert.equal((await stores.verifications.listStatusChanges(v.sid)).length, 1);
    }
    assert.deepEqual(await newDeliveries(), []);
  });

  await t.test('an illegal change throws and writes nothing', async () => {
    const refused = triples().filter((x) => !canTransition(x.from, x.to, x.cause));
    assert.equal(refused.length, triples().length - allowed.length);
    for (const { from, to, cause } of refused) {
      const v = await stored(streaming, from);
      const before = structuredClone(v);
      const sends = await stores.verifications.listSends(v.sid);
      const what = label({ from, to, cause });
      await assert.rejects(apply(streaming, v, to, cause), { message: `illegal transition ${what}` }, what);
      assert.deepEqual(v, before, `${what}: the caller's verification`);
      assert.deepEqual(await stores.verifications.getVerification(streaming.sid, v.sid), before, what);
      assert.deepEqual(await stores.verifications.listStatusChanges(v.sid), [], what);
      assert.deepEqual(await stores.verifications.listSends(v.sid), sends, what);
    }
    assert.deepEqual(await newDeliveries(), []);
  });
});

test('isLapsed: a pending verification whose validity has ended, and only that', () => {
  const v = (status: VerificationStatus, expiresAt: number) => verification(service(newSid('AC')), { status, expiresAt });
  assert.equal(isLapsed(v('pending', NOW), NOW), true, 'ends exactly now');
  assert.equal(isLapsed(v('pending', NOW - 1), NOW), true);
  assert.equal(isLapsed(v('pending', NOW + 1), NOW), false);
  for (const status of ['approved', 'canceled', 'expired', 'max_attempts_reached'] as const) {
    assert.equal(isLapsed(v(status, NOW - 1), NOW), false, status);
  }
});
