/**
 * verifyd (the real process, src/main.ts) on its own throwaway PostgreSQL database while that
 * database's connections are killed (pg_terminate_backend: what a failover, a restart or an idle
 * session timeout does) and while it refuses connections altogether (ALLOW_CONNECTIONS false).
 * The process must not crash; every request is answered 2xx or Twilio's 503 (20503), never a 500
 * and never left hanging (the runner's timeout catches a hang); nothing acknowledged is lost; and
 * it recovers by itself. Only this test's own database is touched: never the shared server.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, test, type TestContext } from 'node:test';
import pg from 'pg';
import twilio from 'twilio';
import { ADMIN_URL } from '../support/databases.js';
import { subscribeWebhook } from '../support/events.js';
import { accountOn, killAll, processDatabase, signal, startVerifyd, takeOutputs, type ProcessDatabase, type Proc } from '../support/processes.js';
import { Receiver } from '../support/receiver.js';
import type { Account } from '../support/server.js';

after(killAll);

interface Ctx {
  db: ProcessDatabase;
  /** The database's name, for the admin statements aimed at it alone. */
  name: string;
  admin: pg.Client;
  receiver: Receiver;
  proc: Proc & { base: string };
  acct: Account;
}

/** A fresh database, receiver, admin connection and verifyd process (with its dispatcher and sweeps). */
function onOwnDatabase(title: string, body: (t: TestContext, ctx: Ctx) => Promise<void>): void {
  test(`${title} [postgres]`, { timeout: 120_000 }, async (t) => {
    const db = await processDatabase('postgres');
    if ('skip' in db) return t.skip(db.skip);
    const name = new URL(db.env.DATABASE_URL!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    const receiver = await Receiver.start();
    takeOutputs();
    try {
      const sid = `AC${randomBytes(16).toString('hex')}`;
      const token = randomBytes(16).toString('hex');
      const proc = await startVerifyd({
        ...db.env,
        TWILIO_ACCOUNT_SID: sid,
        TWILIO_AUTH_TOKEN: token,
        LOG_LEVEL: process.env.OUTAGE_LOG ?? 'error',
        EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'none',
        EVENTS_POLL_MS: '100',
        EVENTS_RETRY_BASE_MS: '100',
        EXPIRY_SWEEP_SECONDS: '1',
      });
      await body(t, { db, name, admin, receiver, proc, acct: accountOn(proc.base, sid, token) });
      assertAlive(proc);
      assert.deepEqual(await signal(proc, 'SIGTERM'), { code: 0, signal: null }, proc.err());
    } catch (err) {
      for (const o of takeOutputs()) t.diagnostic(o);
      throw err;
    } finally {
      killAll();
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin.end();
      await receiver.close();
      await db.drop();
    }
  });
}

function assertAlive(proc: Proc): void {
  assert.equal(proc.child.exitCode, null, `verifyd exited:\n${proc.err()}`);
  assert.equal(proc.child.signalCode, null, `verifyd was killed:\n${proc.err()}`);
  assert.doesNotMatch(proc.err(), /Unhandled|uncaught/i);
}

/** Ends every connection verifyd has open to its database; returns how many. */
async function terminateBackends(ctx: Ctx): Promise<number> {
  const r = await ctx.admin.query(`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [ctx.name]);
  return r.rowCount ?? 0;
}

/** A request's outcome: `ok`, or Twilio's 503, or anything else (which fails the test). */
type Outcome = 'ok' | 'unavailable';

async function outcome(p: Promise<unknown>): Promise<Outcome> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof twilio.RestException, `not an HTTP answer: ${String(err)}`);
    assert.deepEqual(
      [err.status, err.code, err.moreInfo],
      [503, 20503, 'https://www.twilio.com/docs/errors/20503'],
      `expected Twilio's 503, got ${err.status} ${err.code} ${err.message}`,
    );
    return 'unavailable';
  }
}

async function eventService(ctx: Ctx) {
  const svc = await ctx.acct.client.verify.v2.services.create({ friendlyName: 'Outage', verifyEventSubscriptionEnabled: true });
  await subscribeWebhook(ctx.acct, ctx.receiver.url());
  return ctx.acct.client.verify.v2.services(svc.sid);
}

const phone = (n: number) => `+1501${String(7_000_000 + n).padStart(7, '0')}`;

onOwnDatabase('connections terminated again and again under load: no crash, 2xx or 503, nothing acknowledged lost', async (t, ctx) => {
  const api = await eventService(ctx);
  const started: string[] = [];
  const counts = { ok: 0, unavailable: 0 };
  let stop = false;
  let n = 0;
  // Starts (a transaction writing a verification, its attempt and its event) and checks (another
  // transaction) from several clients at once, so terminations land inside transactions.
  const worker = async () => {
    try {
      while (!stop) {
        const to = phone(n++);
        let sid: string | undefined;
        const start = await outcome(api.verifications.create({ to, channel: 'sms' }).then((v) => (sid = v.sid)));
        counts[start]++;
        if (!sid) continue;
        started.push(sid);
        counts[await outcome(api.verificationChecks.create({ to, code: '000000' }))]++;
      }
    } finally {
      // One failure ends the run: the others stop at their next request.
      stop = true;
    }
  };
  let failure: unknown;
  const workers = Array.from({ length: 6 }, () => worker().catch((err: unknown) => (failure ??= err)));
  let terminated = 0;
  for (let round = 0; round < 40 && !stop; round++) {
    terminated += await terminateBackends(ctx);
    assertAlive(ctx.proc);
    // The next termination waits for a success: each one lands on a server that recovered by itself.
    for (const ok = counts.ok; counts.ok === ok && !stop; ) await sleep(5);
  }
  stop = true;
  await Promise.all(workers);
  if (failure) throw failure;
  t.diagnostic(`${terminated} connections terminated; answers: ${JSON.stringify(counts)}`);
  assert.ok(terminated > 0, 'connections were terminated');
  assert.ok(started.length > 0, 'some starts succeeded meanwhile');

  // With the terminations over, requests succeed again by themselves.
  for (let i = 0; i < 10; i++) started.push((await api.verifications.create({ to: phone(n++), channel: 'sms' })).sid);
  // Every start that was answered 201 is there, and its pending event reached the receiver.
  for (const sid of started) assert.equal((await api.verifications(sid).fetch()).sid, sid);
  await ctx.receiver.waitFor(
    (_, r) => started.every((sid) => r.acknowledged.some((e) => e.data.verification_sid === sid)),
    30_000,
    `the pending events of ${started.length} starts`,
  );
});

onOwnDatabase('while the database refuses connections, requests get 503; afterwards they succeed by themselves', async (_t, ctx) => {
  const api = await eventService(ctx);
  const before = (await api.verifications.create({ to: phone(1), channel: 'sms' })).sid;

  await ctx.admin.query(`ALTER DATABASE "${ctx.name}" ALLOW_CONNECTIONS false`);
  await terminateBackends(ctx);
  for (const request of [
    () => api.verifications.create({ to: phone(2), channel: 'sms' }),
    () => api.verificationChecks.create({ to: phone(1), code: '000000' }),
    () => api.verifications(before).fetch(),
    () => api.fetch(),
    () => ctx.acct.client.events.v1.sinks.list(),
  ]) {
    assert.equal(await outcome(request()), 'unavailable');
  }
  // Credentials that cannot be checked are not wrong: 503, not 401.
  const wrong = await fetch(`${ctx.proc.base}/v2/Services`, { headers: { authorization: `Basic ${Buffer.from(`${ctx.acct.sid}:nope`).toString('base64')}` } });
  assert.equal(wrong.status, 503);
  assert.deepEqual(await wrong.json(), { code: 20503, message: 'Service unavailable: the database cannot be reached', more_info: 'https://www.twilio.com/docs/errors/20503', status: 503 });
  assertAlive(ctx.proc);

  await ctx.admin.query(`ALTER DATABASE "${ctx.name}" ALLOW_CONNECTIONS true`);
  const after = (await api.verifications.create({ to: phone(3), channel: 'sms' })).sid;
  assert.equal((await api.verifications(before).fetch()).status, 'pending');
  await ctx.receiver.waitFor((acked) => [before, after].every((sid) => acked.some((e) => e.data.verification_sid === sid)), 30_000, 'both pending events');
});
