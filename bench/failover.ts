/**
 * What failover costs, in real time (`BENCH_SCENARIOS=failover`): verifyd as `npm start` runs it
 * (dist/main.js), one process per store, with sms to a `twilio` provider at the REST stand-in
 * (test/support/twilio-rest.ts) in this process, three ways picked by the destination's country:
 *   direct   US: [backup]
 *   refused  GB: [down, backup]     down's port refuses connections
 *   silent   FR: [silent, backup]   silent accepts TCP and never completes TLS
 * The ways take turns start by start, so they share the machine's load (separate runs on a shared
 * machine differed by more than the failover). The first provider's connect_timeout_ms is
 * FAILOVER_CONNECT_MS; circuits are set not to open (circuit_failures 1000), so every send pays.
 * Starts go out on a schedule, BENCH_FAILOVER_RATE a second (default 20), BENCH_FAILOVER_STARTS
 * per way (default 300): a closed loop as fast as the server answers saturates the machine, and
 * then the time to the provider is the send queue's length, not what failover adds (BENCHMARKS.md).
 * Printed: start-to-provider p50/p99 of each way, the extra over `direct`, and that extra less the timeout.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { TwilioRestStandIn } from '../test/support/twilio-rest.js';
import { Api } from './api.js';
import { spawnTs, stop, VERIFYD_MAIN, waitHealthy } from './procs.js';
import { runStartsByGroup, type SendFigures } from './sends.js';
import { storeEnv, type ScenarioOpts } from './store-env.js';
import { REFUSED_HOST } from '../test/support/local-http.js';

export const FAILOVER_CONNECT_MS = 300;
/** At most this many starts awaiting their answer at once. */
const CONCURRENCY = 10;
/** Each way's route is picked by the destination's country (a number of its own per start). */
const WAYS = [
  { name: 'direct', number: (n: number) => `+1201${2_000_000 + n}` },
  { name: 'refused', number: (n: number) => `+447400${100_000 + n}` },
  { name: 'silent', number: (n: number) => `+336${10_000_000 + n}` },
];

export interface FailoverRow extends SendFigures {
  store: string;
  way: string;
}

export interface FailoverOpts extends ScenarioOpts {
  starts: number;
  ratePerSecond: number;
}

export async function benchFailover(store: string, tmp: string, opts: FailoverOpts): Promise<FailoverRow[] | { skip: string }> {
  const account = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
  const twilio = await TwilioRestStandIn.start({ [account.sid]: account.token });
  opts.addCleanup(() => twilio.close());
  const arrived = new Map<string, number[]>();
  twilio.onCreated((c) => arrived.set(String(c.form.To), [...(arrived.get(String(c.form.To)) ?? []), performance.now()]));

  const sockets = new Set<Socket>();
  const blackhole = createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  opts.addCleanup(() => {
    for (const s of sockets) s.destroy();
    blackhole.close();
  });
  const base = { type: 'twilio', account_sid: account.sid, auth_token: account.token, sms_from: '+15005550006', connect_timeout_ms: FAILOVER_CONNECT_MS };
  const providers = [
    { ...base, name: 'backup', api_base_url: twilio.url },
    { ...base, name: 'down', api_base_url: `http://${REFUSED_HOST}` },
    { ...base, name: 'silent', api_base_url: `https://127.0.0.1:${(blackhole.address() as { port: number }).port}` },
  ];
  const config = join(tmp, `failover-${store}.json`);
  const routes = { sms: { default: ['backup'], countries: { GB: ['down', 'backup'], FR: ['silent', 'backup'] } } };
  writeFileSync(config, JSON.stringify({ providers, routes, failover: { circuit_failures: 1000 } }));
  const where = await storeEnv(store, tmp, 'failover', opts, { VERIFYD_CONFIG: config });
  if ('skip' in where) return where;
  const proc = spawnTs(VERIFYD_MAIN, [], where.env);
  const api = new Api(where.baseUrl, where.env.TWILIO_ACCOUNT_SID!, where.env.TWILIO_AUTH_TOKEN!, CONCURRENCY);
  try {
    await waitHealthy(proc, where.baseUrl);
    const svc = await api.createService('Failover');
    // The ways take turns, start by start, so that all three meet the same load on the machine.
    const destination = (i: number) => {
      const way = WAYS[i % WAYS.length]!;
      return { to: way.number(i), group: way.name };
    };
    const plan = { starts: opts.starts * WAYS.length, warmup: 30, concurrency: CONCURRENCY, ratePerSecond: opts.ratePerSecond, channel: 'sms' as const, serverPid: proc.pid, arrived, keyBy: 'to' as const, destination };
    const groups = await runStartsByGroup(api, svc, plan);
    const rows = WAYS.map((w) => ({ store, way: w.name, ...groups.get(w.name)! }));
    for (const r of rows) opts.log(`failover ${store} ${r.way}: to the provider p50 ${r.providerP50.toFixed(1)} ms p99 ${r.providerP99.toFixed(1)} ms; missing ${r.missing}, sent twice ${r.duplicates}`);
    return rows;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- verifyd output (tail) ---\n${proc.output()}`);
  } finally {
    api.close();
    await stop(proc);
  }
}

export function printFailover(rows: FailoverRow[], notes: string[], opts: Pick<FailoverOpts, 'starts' | 'ratePerSecond'>): void {
  console.log(
    `\nFailover (${opts.starts} starts per way, the ways in turn, ${opts.ratePerSecond} starts a second in all; dist/main.js; the first provider's connect_timeout_ms ${FAILOVER_CONNECT_MS}; ms from the start's request to the provider)`,
  );
  console.log('store     way        provider p50  provider p99  extra p50  extra p99  extra p50 - timeout  missing  twice');
  for (const r of rows) {
    const direct = rows.find((d) => d.store === r.store && d.way === 'direct');
    const extra50 = direct ? r.providerP50 - direct.providerP50 : NaN;
    const extra99 = direct ? r.providerP99 - direct.providerP99 : NaN;
    const over = r.way === 'direct' ? '-' : (extra50 - FAILOVER_CONNECT_MS).toFixed(1);
    console.log(
      `${r.store.padEnd(9)} ${r.way.padEnd(9)}  ${r.providerP50.toFixed(1).padStart(12)}  ${r.providerP99.toFixed(1).padStart(12)}  ${extra50.toFixed(1).padStart(9)}  ${extra99.toFixed(1).padStart(9)}  ${over.padStart(19)}  ${String(r.missing).padStart(7)}  ${String(r.duplicates).padStart(5)}`,
    );
  }
  for (const n of notes) console.log(`  ${n}`);
}
