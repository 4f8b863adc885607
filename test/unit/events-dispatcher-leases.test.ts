/**
 * Short leases kept alive by a heartbeat, on a ManualClock, with real stores (SQLite and
 * PostgreSQL) and a real webhook receiver. A live dispatcher keeps its claim however far the clock
 * moves past the lease it claimed with: a second dispatcher polling the same store never takes it
 * over. A dispatcher that stops renewing (its database connection gone: the in-process stand-in
 * for a kill -9) loses its claim one lease later, and the other one delivers the event; its own
 * late outcome is recorded as an attempt but does not settle the delivery again.
 */
import { eventDeps } from '../../src/compose.js';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { createAccount } from '../../src/accounts/accounts.js';
import { ManualClock } from '../../src/domain/clock.js';
import { BlockedNetworks } from '../../src/domain/events/networks.js';
import { createSink, testSink } from '../../src/domain/events/sinks.js';
import type { DeliveryStatus } from '../../src/domain/events/types.js';
import { StoreUnavailable } from '../../src/domain/ports.js';
import type { Stores } from '../../src/storage/stores.js';
import { forEachBackend } from '../support/databases.js';
import { Receiver } from '../support/receiver.js';
import { testDispatcher } from '../support/server.js';
import { until } from '../support/until.js';

const T0 = Date.UTC(2040, 0, 1);
const LEASE_MS = 30_000;

/**
 * `stores` whose outbox can be cut off: once `cut` is set every outbox call fails as on a lost
 * connection, so a dispatcher over it neither renews nor settles, like one that died.
 */
function severable(stores: Stores): { stores: Stores; cut(on: boolean): void } {
  let cut = false;
  const outbox = new Proxy(stores.outbox, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (cut ? Promise.reject(new StoreUnavailable(new Error('Connection terminated unexpectedly'))) : value.apply(target, args));
    },
  });
  return { stores: Object.assign(Object.create(stores) as Stores, { outbox }), cut: (on) => (cut = on) };
}

async function fixture(stores: Stores) {
  const receiver = await Receiver.start();
  const clock = new ManualClock(new Date(T0));
  const deps = eventDeps(stores, clock, new BlockedNetworks('none'));
  const acct = await createAccount(stores.accounts, clock);
  const sink = await createSink(deps, acct.sid, { description: 'leases', sinkType: 'webhook', config: { destination: receiver.url(), method: 'POST', batch_events: false } });
  const status = async (eventId: string): Promise<DeliveryStatus> => (await stores.outbox.deliveryStatus(eventId))[0]!;
  const requestsFor = (eventId: string) => receiver.requests.filter((r) => r.events?.some((e) => e.id === eventId)).length;
  return { receiver, clock, status, requestsFor, sendTest: () => testSink(deps, acct.sid, sink.sid) };
}

/**
 * Dispatcher A over `storesA` and B over `stores`, on the fixture's clock, stopped after the test.
 * A holds one delivery at a time, so B gets whatever else is due. Only A is started.
 */
function pair(t: TestContext, stores: Stores, storesA: Stores, clock: ManualClock) {
  const make = (s: Stores, maxInFlight: number) =>
    testDispatcher(s, clock, { blockedNetworks: 'none', pollMs: 10, lingerMs: 0, leaseMs: LEASE_MS, renewMs: 20, maxInFlight, webhookTimeoutMs: 10_000 });
  const a = make(storesA, 1);
  const b = make(stores, 100);
  t.after(async () => {
    for (const d of [a, b]) {
      await d.dispatcher.stop();
      await d.close();
    }
  });
  a.dispatcher.start();
  return { a: a.dispatcher, b: b.dispatcher };
}

forEachBackend('event delivery leases', async (t, stores) => {
  await t.test('a live dispatcher keeps its claim past the lease it claimed with: the heartbeat renews it', async (t) => {
    const f = await fixture(stores);
    t.after(() => f.receiver.close());
    // A claims the event and its receiver holds the request.
    f.receiver.answer('hang', 1);
    const { b } = pair(t, stores, stores, f.clock);
    const held = await f.sendTest();
    await until(() => f.requestsFor(held.id), (n) => n === 1, 'the request A sends');
    b.start();

    // The clock runs three leases on, a little less than one at a time; each time A's heartbeat
    // moves the lease a whole lease ahead of the clock.
    for (let i = 0; i < 3; i++) {
      f.clock.advance(LEASE_MS - 1_000);
      const now = f.clock.now().getTime();
      await until(() => f.status(held.id), (s) => s.nextAttemptAt === now + LEASE_MS, `renewal ${i + 1}`);
    }
    // B has been polling all along and delivers what is due (A has no room for more)...
    const other = await f.sendTest();
    await until(() => f.status(other.id), (s) => s.state === 'delivered', 'the event B delivers');
    // ...but never took A's event over, though the lease A claimed it with is long past.
    assert.equal(f.requestsFor(held.id), 1, 'sent once: B did not take it over');
    assert.deepEqual([(await f.status(held.id)).state, (await f.status(held.id)).attempts], ['pending', 0]);

    // The receiver answers at last; A records the outcome under its claim.
    f.receiver.answerHung(200);
    const done = await until(() => f.status(held.id), (s) => s.state === 'delivered', 'A settling its event');
    assert.deepEqual([done.attempts, done.history.length, done.history[0]!.attemptedAt], [1, 1, T0]);
  });

  await t.test("a dispatcher that stops renewing loses its claim one lease later; another delivers the event", async (t) => {
    const f = await fixture(stores);
    t.after(() => f.receiver.close());
    const dying = severable(stores);
    f.receiver.answer('hang', 1);
    const { b } = pair(t, stores, dying.stores, f.clock);
    const event = await f.sendTest();
    await until(() => f.requestsFor(event.id), (n) => n === 1, 'the request A sends');
    // A is cut off from its database: it can no longer renew (nor settle) anything.
    dying.cut(true);
    b.start();

    // Still leased: B leaves it alone until the lease A claimed it with has run out...
    f.clock.advance(LEASE_MS - 1_000);
    const other = await f.sendTest();
    await until(() => f.status(other.id), (s) => s.state === 'delivered', 'another event, delivered by B');
    assert.equal(f.requestsFor(event.id), 1, 'not taken over while leased');
    // ...and takes it over once it has: B's request is the event's second, and B settles it.
    f.clock.advance(1_000);
    const taken = await until(() => f.status(event.id), (s) => s.state === 'delivered', 'B delivering the taken-over event');
    assert.equal(f.requestsFor(event.id), 2);
    assert.deepEqual([taken.attempts, taken.history.length], [1, 1]);

    // A's connection comes back and its receiver answers: A's late success is recorded as an
    // attempt, but B's settlement stands (A's claim token is no longer the row's).
    dying.cut(false);
    f.receiver.answerHung(200);
    const after = await until(() => f.status(event.id), (s) => s.history.length === 2, "A's late attempt");
    assert.deepEqual([after.state, after.attempts], ['delivered', 1]);
  });
});
