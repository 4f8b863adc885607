/**
 * What failover costs, in real time: verifyd as `npm start` runs it (dist/main.js, SQLite), three
 * ways, each a fresh process and database, with sms routed to a `twilio` provider at the REST
 * stand-in (test/support/twilio-rest.ts) in this process:
 *   direct   routes.sms: [backup]
 *   refused  routes.sms: [down, backup]     down's port refuses connections
 *   silent   routes.sms: [silent, backup]   silent accepts TCP and never completes TLS
 * The first provider's connect_timeout_ms is FAILOVER_CONNECT_MS; circuits are set not to open
 * (circuit_failures 1000), so every send pays the failover. Printed: commit-to-provider p50/p99 of
 * each, and the extra over `direct`, against the configured timeout.
 *
 *   npm run build && npx tsx bench/failover.ts     (BENCH_FAILOVER_STARTS, default 300)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../scripts/free-port.js';
import { TwilioRestStandIn } from '../test/support/twilio-rest.js';
import { Api } from './api.js';
import { spawnTs, stop, VERIFYD_MAIN, waitHealthy } from './procs.js';
import { runStarts, type SendFigures } from './sends.js';
import { storeEnv } from './store-env.js';

const CONNECT_MS = 300;
const STARTS = Number(process.env.BENCH_FAILOVER_STARTS ?? 300);
const CONCURRENCY = 10;

const cleanups: Array<() => Promise<void> | void> = [];
const opts = { log: (s: string) => console.error(s), addCleanup: (fn: () => Promise<void> | void) => void cleanups.push(fn) };

async function main(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'verifyd-bench-failover-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  const account = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
  const twilio = await TwilioRestStandIn.start({ [account.sid]: account.token });
  cleanups.push(() => twilio.close());
  const arrived = new Map<string, number[]>();
  twilio.onCreated((c) => arrived.set(String(c.form.To), [...(arrived.get(String(c.form.To)) ?? []), performance.now()]));

  const sockets = new Set<Socket>();
  const blackhole = createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });
  const base = { type: 'twilio', account_sid: account.sid, auth_token: account.token, sms_from: '+15005550006', connect_timeout_ms: CONNECT_MS };
  const providers = [
    { ...base, name: 'backup', api_base_url: twilio.url },
    { ...base, name: 'down', api_base_url: `http://127.0.0.1:${await freePort()}` },
    { ...base, name: 'silent', api_base_url: `https://127.0.0.1:${(blackhole.address() as { port: number }).port}` },
  ];
  const ways: Array<[string, string[]]> = [['direct', ['backup']], ['refused', ['down', 'backup']], ['silent', ['silent', 'backup']]];
  const rows: Array<[string, SendFigures]> = [];
  for (const [way, route] of ways) {
    const config = join(tmp, `failover-${way}.json`);
    writeFileSync(config, JSON.stringify({ providers, routes: { sms: route }, failover: { circuit_failures: 1000 } }));
    const where = await storeEnv('sqlite', tmp, `failover-${way}`, opts, { VERIFYD_CONFIG: config });
    if ('skip' in where) throw new Error(where.skip);
    const proc = spawnTs(VERIFYD_MAIN, [], where.env);
    const api = new Api(where.baseUrl, where.env.TWILIO_ACCOUNT_SID!, where.env.TWILIO_AUTH_TOKEN!, CONCURRENCY);
    try {
      await waitHealthy(proc, where.baseUrl);
      const svc = await api.createService(`Failover ${way}`);
      arrived.clear();
      const figures = await runStarts(api, svc, { starts: STARTS, warmup: 20, concurrency: CONCURRENCY, channel: 'sms', serverPid: proc.pid, arrived, keyBy: 'to' });
      rows.push([way, figures]);
    } catch (err) {
      throw new Error(`${way}: ${(err as Error).message}\n--- verifyd output (tail) ---\n${proc.output()}`);
    } finally {
      api.close();
      await stop(proc);
    }
  }
  const direct = rows[0]![1];
  console.log(`\nFailover (${STARTS} starts per run, ${CONCURRENCY} at a time, SQLite, dist/main.js; first provider's connect_timeout_ms ${CONNECT_MS}; ms from the start's request to the provider)`);
  console.log('route                 provider p50  provider p99  extra p50  extra p99  within timeout  missing  twice');
  for (const [way, f] of rows) {
    const extra50 = f.providerP50 - direct.providerP50;
    const extra99 = f.providerP99 - direct.providerP99;
    const within = way === 'direct' ? '-' : extra50 <= CONNECT_MS ? 'yes' : 'NO';
    console.log(
      `${way.padEnd(20)}  ${f.providerP50.toFixed(1).padStart(12)}  ${f.providerP99.toFixed(1).padStart(12)}  ${extra50.toFixed(1).padStart(9)}  ${extra99.toFixed(1).padStart(9)}  ${within.padStart(14)}  ${String(f.missing).padStart(7)}  ${String(f.duplicates).padStart(5)}`,
    );
  }
}

try {
  await main();
} finally {
  for (const fn of cleanups.reverse()) await fn();
}
