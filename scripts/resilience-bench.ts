/**
 * Real times for issue 10's findings 9 and 10 (`npx tsx scripts/resilience-bench.ts`), on a
 * throwaway PostgreSQL database at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432):
 *
 * 1. Takeover after kill -9: an API process (no dispatcher) commits events, a dispatcher process
 *    claims them and its receiver holds the requests; the dispatcher is killed with SIGKILL and a
 *    new one started at once. Reported: from the kill to the new dispatcher running, to the first
 *    and to the last claimed event delivered again.
 * 2. 503 during an outage: the database refuses connections (ALLOW_CONNECTIONS false, its
 *    sessions terminated), and each request's answer time; then the database "black-holed" behind
 *    a TCP proxy that stops answering, where the pool's 5 s connect timeout is the bound.
 *
 * Only the throwaway database is touched; the server is never restarted.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createConnection, createServer as createTcpServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { ADMIN_URL } from '../test/support/databases.js';
import { subscribeWebhook } from '../test/support/events.js';
import { accountOn, killAll, processDatabase, signal, startDispatcher, startVerifyd } from '../test/support/processes.js';

const EVENTS = Number(process.env.RESILIENCE_EVENTS ?? 30);
const REQUESTS = Number(process.env.RESILIENCE_REQUESTS ?? 20);

/** A webhook receiver that holds every request while `holding`, and notes when each event first arrived answered. */
async function receiver() {
  let holding = true;
  const held: ServerResponse[] = [];
  const delivered = new Map<string, number>();
  const server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (holding) return void held.push(res);
      for (const e of JSON.parse(body) as Array<{ id: string }>) if (!delivered.has(e.id)) delivered.set(e.id, performance.now());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    heldCount: () => held.length,
    release() {
      holding = false;
    },
    delivered,
    close() {
      for (const r of held) r.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A TCP proxy to PostgreSQL that can go silent: existing connections dropped, new ones accepted and never answered. */
async function proxy(target: URL) {
  let silent = false;
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (silent) return;
    const upstream = createConnection(Number(target.port || 5432), target.hostname);
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    silence() {
      silent = true;
      for (const s of sockets) s.destroy();
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const ms = (x: number) => `${Math.round(x)} ms`;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${ms(s[Math.floor(s.length / 2)]!)}, max ${ms(s[s.length - 1]!)} (n=${s.length})`;
};

async function takeover(): Promise<void> {
  const db = await processDatabase('postgres');
  if ('skip' in db) throw new Error(db.skip);
  const hook = await receiver();
  try {
    const sid = `AC${randomBytes(16).toString('hex')}`;
    const token = randomBytes(16).toString('hex');
    const env = { ...db.env, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, LOG_LEVEL: 'warn', EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'none' };
    const api = await startVerifyd({ ...env, EVENTS_DISPATCHER: 'off' });
    const acct = accountOn(api.base, sid, token);
    const svc = await acct.client.verify.v2.services.create({ friendlyName: 'Takeover', verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, hook.url);
    // The dispatcher never hashes a code, so it runs without CODE_KEYS.
    const { CODE_KEYS: _unused, ...dispatcherEnv } = env as Record<string, string>;
    const first = await startDispatcher({ ...dispatcherEnv, LOG_LEVEL: 'info' });
    for (let i = 0; i < EVENTS; i++) await acct.client.verify.v2.services(svc.sid).verifications.create({ to: `+1501712${String(2000 + i)}`, channel: 'sms' });
    while (hook.heldCount() < EVENTS) await sleep(5);

    const killedAt = performance.now();
    await signal(first, 'SIGKILL');
    hook.release();
    const second = await startDispatcher({ ...dispatcherEnv, LOG_LEVEL: 'info' });
    const runningAt = performance.now();
    while (hook.delivered.size < EVENTS) await sleep(5);
    const times = [...hook.delivered.values()].map((t) => t - killedAt);
    console.log(`takeover after kill -9 (${EVENTS} claimed events, EVENTS_LEASE_SECONDS default):`);
    console.log(`  new dispatcher running after ${ms(runningAt - killedAt)}`);
    console.log(`  first claimed event delivered after ${ms(Math.min(...times))}, last after ${ms(Math.max(...times))}`);
    await signal(second, 'SIGTERM');
    await signal(api, 'SIGTERM');
  } finally {
    killAll();
    hook.close();
    await db.drop();
  }
}

let numbered = 0;

/** Times `count` starts (each to a new number) one after another; returns the answer times and statuses seen. */
async function timeStarts(base: string, sid: string, token: string, service: string, count = REQUESTS): Promise<{ times: number[]; statuses: Set<number> }> {
  const times: number[] = [];
  const statuses = new Set<number>();
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}/v2/Services/${service}/Verifications`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: `To=%2B1501713${String(1000 + numbered++)}&Channel=sms`,
    });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
    statuses.add(res.status);
  }
  return { times, statuses };
}

async function outage(): Promise<void> {
  const db = await processDatabase('postgres');
  if ('skip' in db) throw new Error(db.skip);
  const url = new URL(db.env.DATABASE_URL!);
  const name = url.pathname.slice(1);
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  const tcp = await proxy(url);
  try {
    const sid = `AC${randomBytes(16).toString('hex')}`;
    const token = randomBytes(16).toString('hex');
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(tcp.port);
    const p = await startVerifyd({ ...db.env, DATABASE_URL: proxied.toString(), TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, LOG_LEVEL: 'error' });
    const acct = accountOn(p.base, sid, token);
    const svc = await acct.client.verify.v2.services.create({ friendlyName: 'Outage' });

    const healthy = await timeStarts(p.base, sid, token, svc.sid);
    console.log(`starts, database up: ${stats(healthy.times)}; statuses ${[...healthy.statuses].join(',')}`);

    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [name]);
    const refused = await timeStarts(p.base, sid, token, svc.sid);
    console.log(`starts, database refusing connections: ${stats(refused.times)}; statuses ${[...refused.statuses].join(',')}`);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    const again = await timeStarts(p.base, sid, token, svc.sid);
    console.log(`starts, database back: first ${ms(again.times[0]!)}; ${stats(again.times)}; statuses ${[...again.statuses].join(',')}`);

    tcp.silence();
    // Each waits out the pool's connect timeout: a few are enough.
    const silent = await timeStarts(p.base, sid, token, svc.sid, 4);
    console.log(`starts, database silent (black hole): ${stats(silent.times)}; statuses ${[...silent.statuses].join(',')}`);
    await signal(p, 'SIGTERM');
  } finally {
    killAll();
    tcp.close();
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await db.drop();
  }
}

await takeover();
await outage();
