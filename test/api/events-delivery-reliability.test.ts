/**
 * Event Streams webhook delivery when things go wrong: a receiver that answers 500 or hangs for a
 * while still gets every event, with the same id on every retry and every attempt recorded; one
 * that never recovers is given up at the end of the retry window and not tried again; and two
 * dispatchers on one PostgreSQL deliver each of ~200 events exactly once. Real receiver, real
 * dispatchers, both backends (the cluster test is PostgreSQL only).
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type { CloudEvent, DeliveryStatus } from '../../src/domain/events/types.js';
import { T, allDeliveries, assertSigned, outbox, requestsFor, settled, subscribeWebhook } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { LocalRequestClient, onEachBackend, setup, type TestServer } from '../support/server.js';

/** Starts `n` verifications to distinct numbers and returns their pending events' ids from the outbox. */
async function startMany(server: TestServer, api: Awaited<ReturnType<typeof setup>>['api'], acctSid: string, n: number, from = 0): Promise<string[]> {
  for (let i = 0; i < n; i++) await api.verifications.create({ to: `+150171220${String(from + i).padStart(2, '0')}`, channel: 'sms' });
  return (await outbox(server, acctSid)).map((e) => e.id);
}

/**
 * After a receiver misbehaved and recovered: every event was acknowledged exactly once, each
 * delivery's history is its failures then one success, and every copy the receiver saw of an
 * event (one per attempt) is the same event under the same id. Returns the histories.
 */
async function assertRecovered(server: TestServer, receiver: Receiver, ids: string[], failed: (a: DeliveryStatus['history'][number]) => void): Promise<DeliveryStatus[]> {
  await receiver.waitFor((acked) => ids.every((id) => acked.some((e) => e.id === id)), 15_000, `all of ${ids.length} events acknowledged`);
  const statuses: DeliveryStatus[] = [];
  for (const id of ids) {
    const [d] = await settled(server, id);
    statuses.push(d!);
    assert.equal(d!.state, 'delivered');
    assert.equal(d!.attempts, d!.history.length);
    const last = d!.history.at(-1)!;
    assert.deepEqual({ ok: last.ok, statusCode: last.statusCode, error: last.error }, { ok: true, statusCode: 200, error: null });
    for (const a of d!.history.slice(0, -1)) {
      assert.equal(a.ok, false);
      failed(a);
    }
    for (const a of d!.history) {
      assert.equal(typeof a.latencyMs, 'number');
      assert.ok(a.latencyMs >= 0 && Number.isFinite(a.latencyMs));
      assert.equal(a.sinkSid, d!.sinkSid);
    }
    // One request per attempt, each carrying this very event; acknowledged once.
    const copies = requestsFor(receiver, id).map((r) => r.events!.find((e) => e.id === id)!);
    assert.equal(copies.length, d!.history.length, `requests seen for ${id}`);
    for (const c of copies) assert.deepEqual(c, copies[0], 'a retry sends the same event');
    assert.equal(receiver.acknowledged.filter((e) => e.id === id).length, 1);
  }
  assert.equal(new Set(receiver.received.map((e) => e.id)).size, ids.length, 'ids are unique per event and shared by its retries');
  return statuses;
}

// webhookTimeoutMs is 5 s in the product; 300 ms here keeps the hanging receiver's timeouts quick.
onEachBackend('event delivery: receivers that fail for a while', async (t, server) => {
  await t.test('500 for the first requests: every event arrives afterwards, failures recorded', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url(), { types: [T.pending] });
    receiver.answer({ status: 500 }, 4);
    const ids = await startMany(server, api, acct.sid, 3);
    assert.equal(ids.length, 3);

    const statuses = await assertRecovered(server, receiver, ids, (a) => {
      assert.equal(a.statusCode, 500);
      assert.equal(a.error, 'HTTP 500');
    });
    assert.equal(statuses.reduce((n, d) => n + d.history.length - 1, 0), 4, 'exactly the four refused requests were failed attempts');
    assert.ok(receiver.received.length > new Set(receiver.received.map((e) => e.id)).size, 'some id was seen more than once');
    assertSigned(receiver, acct.authToken);
  });

  await t.test('a receiver that hangs (timeouts) for a while still gets every event', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url(), { types: [T.pending] });
    receiver.answer('hang', 3);
    const ids = await startMany(server, api, acct.sid, 2);

    const statuses = await assertRecovered(server, receiver, ids, (a) => {
      assert.equal(a.statusCode, null);
      assert.equal(a.error, 'timed out after 300 ms');
    });
    assert.equal(statuses.reduce((n, d) => n + d.history.length - 1, 0), 3, 'the three unanswered requests were failed attempts');
  });

  await t.test('a mix: refused, hung, refused again, then accepted, with batch_events', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url(), { types: [T.pending], batch: true });
    receiver.answer({ status: 502 }, 1);
    receiver.answer('hang', 1);
    receiver.answer({ status: 429 }, 1);
    const ids = await startMany(server, api, acct.sid, 4);
    await assertRecovered(server, receiver, ids, (a) => {
      assert.ok((a.statusCode === null && a.error === 'timed out after 300 ms') || (a.statusCode !== null && a.error === `HTTP ${a.statusCode}`), JSON.stringify(a));
    });
    assert.deepEqual(receiver.requests.slice(0, 3).map((r) => r.reply), [{ status: 502 }, 'hang', { status: 429 }]);
  });
}, { dispatcher: { webhookTimeoutMs: 300 } });

/**
 * Simulated time: the dispatcher runs on the ManualClock, so each retry is due only when the test
 * moves the clock to it, and the whole 60 s window is walked through without waiting for it.
 */
const RETRY = { baseMs: 10_000, capMs: 20_000, windowMs: 60_000 };
onEachBackend('event delivery: a receiver that never recovers', async (t, server, clock) => {
  const receiver = await Receiver.start();
  t.after(() => receiver.close());
  const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
  await subscribeWebhook(acct, receiver.url(), { types: [T.pending] });
  receiver.answer({ status: 503 });
  const [id] = await startMany(server, api, acct.sid, 1);
  const written = clock.now().getTime();
  const deadline = written + RETRY.windowMs;

  /** The delivery once its `n`-th attempt is recorded. */
  const afterAttempt = async (n: number): Promise<DeliveryStatus> => {
    const until = Date.now() + 10_000;
    for (;;) {
      const [d] = await server.stores.outbox.deliveryStatus(id!);
      // Judged by the delivery row, not the history: an attempt and the row's new state commit
      // together, but deliveryStatus reads the row before the history, so on PostgreSQL it can see
      // a settlement's attempt with the row as it was before (still claimed).
      if (d!.attempts >= n) return d!;
      if (Date.now() > until) throw new Error(`attempt ${n} not recorded: ${JSON.stringify(d)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  let d = await afterAttempt(1);
  for (let n = 1; d.state === 'pending'; n++) {
    assert.ok(n < 20, 'the window should end after a handful of retries');
    const now = clock.now().getTime();
    assert.equal(d.history.length, n);
    // Backoff with jitter: within [c/2, c] of the ceiling for this failure, never past the window.
    const c = Math.min(RETRY.capMs, RETRY.baseMs * 2 ** (n - 1));
    const delay = d.nextAttemptAt - now;
    assert.ok(d.nextAttemptAt === deadline || (delay >= c / 2 && delay <= c), `retry ${n} after ${delay} ms (ceiling ${c})`);
    assert.ok(d.nextAttemptAt <= deadline);
    clock.advance(d.nextAttemptAt - now);
    d = await afterAttempt(n + 1);
  }
  assert.equal(d.state, 'failed');
  assert.ok(d.history.length >= 4, `${d.history.length} attempts`);
  assert.ok(d.history.every((a) => !a.ok && a.statusCode === 503 && a.error === 'HTTP 503'));
  assert.equal(d.history.at(-1)!.attemptedAt, deadline, 'the last retry lands on the end of the window');
  assert.equal(requestsFor(receiver, id!).length, d.history.length);

  // Given up means given up: later, with the receiver healthy and the dispatcher delivering other
  // events, this one is not sent again.
  receiver.answer({ status: 200 });
  clock.advance(3_600_000);
  const [, next] = await startMany(server, api, acct.sid, 1, 50);
  await receiver.waitFor((acked) => acked.some((e) => e.id === next), 10_000, 'the later event');
  await settled(server, next!);
  const [after] = await server.stores.outbox.deliveryStatus(id!);
  assert.equal(after!.state, 'failed');
  assert.equal(after!.history.length, d.history.length);
  assert.equal(requestsFor(receiver, id!).length, d.history.length);
}, { start: new Date('2025-03-01T12:00:00.000Z'), dispatcher: { retry: RETRY } });

onEachBackend('event delivery: two dispatchers on one PostgreSQL deliver each event once', async (t, server) => {
  if (server.stores.dialect.name !== 'postgres') {
    t.skip('several nodes with their own dispatchers share a PostgreSQL database (claims use FOR UPDATE SKIP LOCKED); an SQLite file serves one node');
    return;
  }
  const receiver = await Receiver.start();
  t.after(() => receiver.close());
  const other = await server.sibling({ dispatcher: {} });
  try {
    const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url(), { types: [T.pending] });
    const client = twilio(acct.sid, acct.authToken, { httpClient: new LocalRequestClient(other.baseUrl), autoRetry: false });
    const apis = [api, client.verify.v2.services(svc.sid)];

    // 200 starts, half through each node, 20 at a time: each node's commits wake its own
    // dispatcher, and each also finds the other's events by polling, so both claim all the time.
    const N = 200;
    const queue = Array.from({ length: N }, (_, i) => i);
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          await apis[i % 2]!.verifications.create({ to: `+1501712${String(2000 + i)}`, channel: 'sms' });
        }
      }),
    );
    await receiver.waitFor((acked) => new Set(acked.map((e) => e.id)).size >= N, 30_000, `${N} distinct events`);
    // Both dispatchers stop only after recording what they have under way: nothing can still be in flight.
    await server.dispatcher!.stop();
    await other.dispatcher!.stop();

    const counts = new Map<string, number>();
    for (const e of receiver.received) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    assert.equal(counts.size, N);
    assert.deepEqual([...counts.values()].filter((c) => c !== 1), [], 'no event arrived twice');
    assert.equal(receiver.requests.length, N);
    const events: CloudEvent[] = receiver.received;
    assert.equal(new Set(events.map((e) => e.data.verification_sid)).size, N);

    const deliveries = await allDeliveries(server);
    assert.equal(deliveries.length, N);
    assert.deepEqual(deliveries.filter((x) => x.state !== 'delivered' || x.attempts !== 1 || x.recorded !== 1), [], 'each delivered once, one attempt recorded');
    assert.deepEqual(new Set(deliveries.map((x) => x.eventId)), new Set(counts.keys()));
  } finally {
    await other.close();
  }
}, { dispatcher: {} });
