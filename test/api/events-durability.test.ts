/**
 * The outbox survives the process: verifyd is a real process (src/main.ts) on a SQLite file or a
 * PostgreSQL database, killed with SIGKILL while its events are committed but not delivered, and
 * restarted on the same database; every event reaches the webhook receiver afterwards. Also the
 * dispatcher as its own process (src/dispatcher-main.ts) beside an API process that runs none: it
 * signs what it delivers with the account's auth token (opened under TOKEN_KEYS), and on
 * PostgreSQL it refuses to start without TOKEN_KEYS.
 */
import assert from 'node:assert/strict';
import { after, test, type TestContext } from 'node:test';
import type { CloudEvent } from '../../src/domain/events/types.js';
import type { BackendName } from '../support/databases.js';
import { T, assertSigned, signatureValid, subscribeWebhook } from '../support/events.js';
import { accountOn, durableEnv, killAll, spawnEntry, processDatabase, signal, startDispatcher, startVerifyd, takeOutputs, type ProcessDatabase } from '../support/processes.js';
import { Receiver } from '../support/receiver.js';
import type { Account } from '../support/server.js';

after(killAll);

/**
 * Registers one test per backend (both unless `backends` says) with a fresh database, receiver and
 * bootstrap account. A failure shows the output of the processes the test started (verifyd logs at
 * warn and above).
 */
function onEachDatabase(title: string, body: (t: TestContext, ctx: Ctx) => Promise<void>, backends: BackendName[] = ['sqlite', 'postgres']): void {
  for (const backend of backends) {
    test(`${title} [${backend}]`, async (t) => {
      const db = await processDatabase(backend);
      if ('skip' in db) {
        t.skip(db.skip);
        return;
      }
      const receiver = await Receiver.start();
      const { env, sid, token } = durableEnv(db, { EVENTS_RETRY_BASE_MS: '100' });
      takeOutputs();
      try {
        await body(t, { db, receiver, env, sid, token });
      } catch (err) {
        for (const o of takeOutputs()) t.diagnostic(o);
        throw err;
      } finally {
        killAll();
        await receiver.close();
        await db.drop();
      }
    });
  }
}

interface Ctx {
  db: ProcessDatabase;
  receiver: Receiver;
  env: Record<string, string>;
  sid: string;
  token: string;
}

interface OutboxRow {
  id: string;
  type: string;
  payload: CloudEvent;
  state: string;
  claim: string | null;
  attempts: number;
}

/** The account's events with their one delivery each (one sink), as committed. */
async function outboxRows(db: ProcessDatabase, accountSid: string): Promise<OutboxRow[]> {
  const rows = await db.query<{ id: string; type: string; payload: string; state: string; claim: string | null; attempts: number | string }>(
    `SELECT e.id, e.type, e.payload, d.state, d.claim, d.attempts
       FROM events e JOIN event_deliveries d ON d.event_id = e.id
      WHERE e.account_sid = ? ORDER BY e.date_created, e.id`,
    [accountSid],
  );
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as CloudEvent, attempts: Number(r.attempts) }));
}

/** A service that emits events and a webhook sink on the receiver subscribed to every type. */
async function eventService(acct: Account, receiver: Receiver) {
  const svc = await acct.client.verify.v2.services.create({ friendlyName: 'Durable', verifyEventSubscriptionEnabled: true });
  await subscribeWebhook(acct, receiver.url());
  return acct.client.verify.v2.services(svc.sid);
}

/** Starts a verification to each number; returns their SIDs. */
async function startEach(api: Awaited<ReturnType<typeof eventService>>, numbers: string[]): Promise<string[]> {
  const sids: string[] = [];
  for (const to of numbers) sids.push((await api.verifications.create({ to, channel: 'sms' })).sid);
  return sids;
}

const sorted = (xs: string[]) => [...xs].sort();
const ids = (events: CloudEvent[]) => events.map((e) => e.id);

/**
 * After the restart: every committed event was acknowledged, as the very event that was
 * committed (same id, same payload), and nothing else; and the database records each delivered.
 * Returns how many times events were acknowledged beyond once (at least once allows it).
 */
async function assertAllDelivered(ctx: Ctx, committed: OutboxRow[]): Promise<number> {
  const want = committed.map((r) => r.id);
  const acked = await ctx.receiver.waitFor((a) => want.every((id) => a.some((e) => e.id === id)), 30_000, `events ${want.join(', ')}`);
  assert.deepEqual(sorted([...new Set(ids(acked))]), sorted(want), 'the acknowledged events are exactly the committed ones');
  for (const e of acked) assert.deepEqual(e, committed.find((r) => r.id === e.id)?.payload, 'the event delivered is the event committed');
  for (const deadline = Date.now() + 10_000; ; ) {
    const rows = await outboxRows(ctx.db, ctx.sid);
    if (rows.every((r) => r.state === 'delivered')) break;
    assert.ok(Date.now() < deadline, `deliveries recorded as delivered: ${JSON.stringify(rows.map((r) => [r.id, r.state]))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return acked.length - want.length;
}

onEachDatabase('events in flight when verifyd is killed are delivered after it restarts', async (t, ctx) => {
  const { receiver, env, db } = ctx;
  // The receiver takes the requests and never answers: the dispatcher has claimed and sent them.
  receiver.answer('hang');
  const first = await startVerifyd(env);
  const api = await eventService(accountOn(first.base, ctx.sid, ctx.token), receiver);
  const vsids = await startEach(api, ['+15017122681', '+15017122682', '+15017122683']);
  await receiver.waitFor((_, r) => vsids.every((v) => r.received.some((e) => e.data.verification_sid === v)), 15_000, 'all three events in flight');

  assert.equal((await signal(first, 'SIGKILL')).signal, 'SIGKILL');
  const committed = await outboxRows(db, ctx.sid);
  assert.deepEqual(sorted(committed.map((r) => r.payload.data.verification_sid as string)), sorted(vsids));
  for (const r of committed) {
    assert.equal(r.type, T.pending);
    // Claimed (a lease is on it), never settled: the kill came between sending and recording.
    assert.equal(r.state, 'pending');
    assert.notEqual(r.claim, null, 'claimed by the killed dispatcher');
    assert.equal(r.attempts, 0);
  }
  assert.deepEqual(sorted([...new Set(ids(receiver.received))]), sorted(committed.map((r) => r.id)), 'what was in flight is what was committed');
  assert.equal(receiver.acknowledged.length, 0);

  receiver.answer({ status: 200 });
  const second = await startVerifyd(env);
  const repeats = await assertAllDelivered(ctx, committed);
  t.diagnostic(`acknowledged more than once: ${repeats}`);
  assert.deepEqual(await signal(second, 'SIGTERM'), { code: 0, signal: null }, second.err());
});

onEachDatabase('events committed while no dispatcher runs are delivered by the next verifyd', async (t, ctx) => {
  const { receiver, env, db } = ctx;
  const first = await startVerifyd({ ...env, EVENTS_DISPATCHER: 'off' });
  const api = await eventService(accountOn(first.base, ctx.sid, ctx.token), receiver);
  const [va] = await startEach(api, ['+15017122691', '+15017122692']);
  await api.verifications(va!).update({ status: 'canceled' });

  assert.equal((await signal(first, 'SIGKILL')).signal, 'SIGKILL');
  const committed = await outboxRows(db, ctx.sid);
  assert.deepEqual(sorted(committed.map((r) => r.type)), sorted([T.pending, T.pending, T.canceled]));
  for (const r of committed) {
    // Committed with the status change, never claimed.
    assert.equal(r.state, 'pending');
    assert.equal(r.claim, null);
    assert.equal(r.attempts, 0);
  }
  assert.equal(receiver.requests.length, 0, 'nothing was sent before the kill');

  const second = await startVerifyd(env);
  const repeats = await assertAllDelivered(ctx, committed);
  assert.equal(repeats, 0, 'nothing had been sent, so nothing is sent twice');
  for (const r of await outboxRows(db, ctx.sid)) assert.equal(r.attempts, 1);
  t.diagnostic(`delivered ${committed.length} events after the restart`);
  assert.deepEqual(await signal(second, 'SIGTERM'), { code: 0, signal: null }, second.err());
});

onEachDatabase('a dispatcher process delivers what an API process without one commits', async (t, ctx) => {
  const { receiver, env, db } = ctx;
  const apiProc = await startVerifyd({ ...env, EVENTS_DISPATCHER: 'off' });
  const api = await eventService(accountOn(apiProc.base, ctx.sid, ctx.token), receiver);

  // Committed before any dispatcher exists.
  const [va, vb] = await startEach(api, ['+15017122701', '+15017122702']);
  const before = await outboxRows(db, ctx.sid);
  assert.equal(before.length, 2);
  assert.equal(receiver.requests.length, 0, 'the API process sends nothing itself');

  // It sends queued codes too, so it needs the API's CODE_KEYS (on SQLite, the key file beside the database).
  if (db.backend === 'postgres') {
    const { CODE_KEYS: _keys, ...withoutKeys } = env as Record<string, string>;
    const refused = spawnEntry('src/dispatcher-main.ts', withoutKeys);
    assert.equal((await refused.exited).code, 1);
    assert.match(refused.err(), /CODE_KEYS is required with DATABASE_URL/);
  }
  const dispatcher = await startDispatcher({ ...env, EVENTS_POLL_MS: '50', LOG_LEVEL: 'info' });
  await receiver.waitFor((a) => before.every((r) => a.some((e) => e.id === r.id)), 15_000, 'the events committed before the dispatcher started');

  // Committed while it runs, by the other process: found through NOTIFY on PostgreSQL, by polling on SQLite.
  await api.verifications(va!).update({ status: 'canceled' });
  await startEach(api, ['+15017122703']);
  const all = await outboxRows(db, ctx.sid);
  assert.equal(all.length, 4);
  const repeats = await assertAllDelivered(ctx, all);
  assert.equal(repeats, 0, 'one dispatcher, no failures: each event once');
  for (const r of await outboxRows(db, ctx.sid)) assert.equal(r.attempts, 1);
  assert.ok(receiver.acknowledged.some((e) => e.type === T.canceled && e.data.verification_sid === va));
  assert.ok(receiver.acknowledged.some((e) => e.type === T.pending && e.data.verification_sid === vb));
  // Every request came from the dispatcher process (the API process sends none): each carries the
  // signature a receiver validates with the account's auth token, which the dispatcher could only
  // make by opening the sealed token under TOKEN_KEYS (the API's, or on SQLite the key file).
  assert.equal(receiver.requests.length, 4, 'one request per event');
  assertSigned(receiver, ctx.token);
  assert.ok(receiver.requests.every((r) => !signatureValid(`${ctx.token}x`, r)), 'another token does not validate them');

  assert.deepEqual(await signal(dispatcher, 'SIGTERM'), { code: 0, signal: null }, `dispatcher stderr:\n${dispatcher.err()}`);
  assert.deepEqual(await signal(apiProc, 'SIGTERM'), { code: 0, signal: null }, apiProc.err());
});

onEachDatabase(
  'the dispatcher process refuses to start without TOKEN_KEYS',
  async (_t, ctx) => {
    // Everything else it needs is there (the database, CODE_KEYS); at info it would log that it runs.
    const { TOKEN_KEYS: _keys, ...withoutKeys }: Record<string, string> = { ...ctx.env, LOG_LEVEL: 'info' };
    const refused = spawnEntry('src/dispatcher-main.ts', withoutKeys);
    // Whichever comes first: its exit, or its report that it runs (then it is stopped, and fails below).
    const running = new Promise<'running'>((resolve) =>
      refused.child.stdout!.on('data', () => refused.out().includes('event dispatcher running') && resolve('running')),
    );
    const outcome = await Promise.race([refused.exited, running]);
    if (outcome === 'running') refused.child.kill('SIGKILL');
    assert.deepEqual(outcome, { code: 1, signal: null }, 'it exits with status 1 before running');
    assert.match(refused.err(), /^invalid configuration:\n {2}- TOKEN_KEYS is required with DATABASE_URL: every node must open the stored auth tokens with the same key/);
    assert.doesNotMatch(refused.err(), /\n\s+at /, 'a message, not a stack trace');
    assert.ok(!refused.out().includes('event dispatcher running'));
  },
  // On SQLite the key is generated beside the database (src/config/local-keys.ts).
  ['postgres'],
);
