/**
 * Server CPU per start with Service Rate Limits against without (issue 13: within 15 %). One verifyd
 * per store with two services: one plain, one with a rate limit `end_user_ip` of two buckets (a
 * minute and an hour, max far above the load, so nothing is refused). Starts alternate between the
 * two, plain first, BENCH_RATELIMITS_ROUNDS times (default 4) each, every run with the throughput
 * scenario's connections, warm-up and duration; the limited starts meter a distinct IP each (the
 * common case: many users), so they never wait on each other's counter rows. Reported: srv us/start
 * (server CPU time per start) of each kind, the median over its runs, and the median of the ratios
 * of runs made back to back (what the verdict uses: it cancels the drift of a shared machine).
 */
import { Api } from './api.js';
import { ipFor, phoneNumber, startBody, type BodySpec, type LoadResult, type RunFigures } from './common.js';
import { VERIFYD_MAIN, spawnTs, stop, waitHealthy } from './procs.js';
import { storeEnv, type ScenarioOpts } from './store-env.js';

export interface RateLimitsRow {
  store: string;
  plainUsPerStart: number;
  limitedUsPerStart: number;
  plainRps: number;
  limitedRps: number;
  /** Median over rounds of limited / plain us per start, each pair measured back to back. */
  pairedRatio: number;
  non2xx: number;
}

type Load = (baseUrl: string, path: string, authorization: string, body: BodySpec, serverPid: number) => Promise<LoadResult>;

const usPerRequest = (f: RunFigures): number => (f.cpu?.server == null || f.rps === 0 ? NaN : (f.cpu.server / f.rps) * 1e6);
/** Medians, not means: on a shared machine one run can be several times slower than the next. */
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function benchRateLimits(store: string, tmp: string, opts: ScenarioOpts & { rounds: number; load: Load }): Promise<RateLimitsRow | { skip: string }> {
  const setup = await storeEnv(store, tmp, 'ratelimits', opts);
  if ('skip' in setup) return setup;
  const { env, baseUrl } = setup;
  const proc = spawnTs(VERIFYD_MAIN, [], env);
  const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!);
  try {
    await waitHealthy(proc, baseUrl);
    const plain = await api.createService('Plain');
    const limited = await api.createService('Limited');
    const rl = await api.json<{ sid: string }>('POST', `/v2/Services/${limited}/RateLimits`, 'UniqueName=end_user_ip', 201);
    for (const interval of [60, 3600]) await api.json('POST', `/v2/Services/${limited}/RateLimits/${rl.sid}/Buckets`, `Max=1000000&Interval=${interval}`, 201);
    const runs: Record<'plain' | 'limited', RunFigures[]> = { plain: [], limited: [] };
    let offset = 0;
    for (let round = 0; round < opts.rounds; round++) {
      for (const kind of ['plain', 'limited'] as const) {
        const svc = kind === 'plain' ? plain : limited;
        const body: BodySpec = { kind: 'start', npa: '203', offset, ...(kind === 'limited' ? { rateLimit: 'end_user_ip' } : {}) };
        // Each run its own numbers (phoneNumber takes 8,000,000), so no start is a resend.
        offset += Math.floor(8_000_000 / (2 * opts.rounds));
        const r = (await opts.load(baseUrl, `/v2/Services/${svc}/Verifications`, api.authorization, body, proc.pid)).measured;
        runs[kind].push(r);
        opts.log(`ratelimits ${store} ${kind} round ${round + 1}: ${r.rps.toFixed(0)} starts/s, ${usPerRequest(r).toFixed(0)} us server CPU per start, non-2xx ${r.non2xx}`);
      }
    }
    return {
      store,
      plainUsPerStart: median(runs.plain.map(usPerRequest)),
      limitedUsPerStart: median(runs.limited.map(usPerRequest)),
      plainRps: median(runs.plain.map((r) => r.rps)),
      limitedRps: median(runs.limited.map((r) => r.rps)),
      pairedRatio: median(runs.limited.map((r, i) => usPerRequest(r) / usPerRequest(runs.plain[i]!))),
      non2xx: [...runs.plain, ...runs.limited].reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0),
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- verifyd ${store} output (tail) ---\n${proc.output()}`);
  } finally {
    api.close();
    await stop(proc);
  }
}

export function printRateLimits(rows: RateLimitsRow[], notes: string[]): void {
  console.log('\nService Rate Limits: server CPU per start (us) without and with RateLimits (one rate limit, two buckets; target: within 15 %)');
  console.log('store     plain us/start  limited us/start  paired   plain starts/s  limited starts/s  non-2xx');
  for (const r of rows) {
    const ratio = r.pairedRatio;
    console.log(
      `${r.store.padEnd(9)} ${r.plainUsPerStart.toFixed(0).padStart(14)}  ${r.limitedUsPerStart.toFixed(0).padStart(16)}  ${`${((ratio - 1) * 100).toFixed(1)}%`.padStart(6)}  ${r.plainRps.toFixed(0).padStart(14)}  ${r.limitedRps.toFixed(0).padStart(16)}  ${String(r.non2xx).padStart(7)}  ${ratio <= 1.15 ? 'within 15 %' : 'NOT within 15 %'}`,
    );
  }
  console.log('us/start and starts/s: medians over the runs; paired: median of limited/plain over runs made back to back, minus 1.');
  for (const n of notes) console.log(`  ${n}`);
}

export interface InProcessRow {
  store: string;
  batches: number;
  batchSize: number;
  plainUsPerStart: number;
  limitedUsPerStart: number;
  pairedRatio: number;
}

/**
 * The same comparison inside one process, where a shared machine's noise matters least: verifyd's
 * app (test/support/server.ts, the API tests' server) answers starts through fastify's inject, one
 * at a time, in batches of `batchSize` plain then `batchSize` limited starts, `batches` times; the
 * process's CPU time (process.cpuUsage) is taken around each batch.
 */
export async function benchRateLimitsInProcess(store: 'sqlite' | 'postgres', opts: { batches: number; batchSize: number }): Promise<InProcessRow | { skip: string }> {
  const { startServer } = await import('../test/support/server.js');
  const server = await startServer(store);
  if ('skip' in server) return server;
  try {
    const acct = await server.account();
    const authorization = `Basic ${Buffer.from(`${acct.sid}:${acct.authToken}`).toString('base64')}`;
    const api = acct.client.verify.v2;
    const plain = (await api.services.create({ friendlyName: 'Plain' })).sid;
    const limited = (await api.services.create({ friendlyName: 'Limited' })).sid;
    const rl = await api.services(limited).rateLimits.create({ uniqueName: 'end_user_ip' });
    for (const interval of [60, 3600]) await api.services(limited).rateLimits(rl.sid).buckets.create({ max: 1_000_000, interval });
    let i = 0;
    const batch = async (serviceSid: string, limit: boolean): Promise<number> => {
      const before = process.cpuUsage();
      for (let k = 0; k < opts.batchSize; k++, i++) {
        const res = await server.app.inject({
          method: 'POST',
          url: `/v2/Services/${serviceSid}/Verifications`,
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          payload: startBody(phoneNumber('204', i), limit ? { end_user_ip: ipFor(i) } : undefined),
        });
        if (res.statusCode !== 201) throw new Error(`start answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      }
      const used = process.cpuUsage(before);
      return (used.user + used.system) / opts.batchSize;
    };
    await batch(plain, false);
    await batch(limited, true);
    const plainUs: number[] = [];
    const limitedUs: number[] = [];
    for (let b = 0; b < opts.batches; b++) {
      plainUs.push(await batch(plain, false));
      limitedUs.push(await batch(limited, true));
    }
    return {
      store,
      batches: opts.batches,
      batchSize: opts.batchSize,
      plainUsPerStart: median(plainUs),
      limitedUsPerStart: median(limitedUs),
      pairedRatio: median(limitedUs.map((l, k) => l / plainUs[k]!)),
    };
  } finally {
    await server.close();
  }
}

export function printRateLimitsInProcess(rows: InProcessRow[], notes: string[]): void {
  console.log('\nService Rate Limits in one process (fastify inject, one start at a time; process CPU per start, us)');
  console.log('store     batches  plain us/start  limited us/start  paired');
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(9)} ${`${r.batches}x${r.batchSize}`.padStart(7)}  ${r.plainUsPerStart.toFixed(0).padStart(14)}  ${r.limitedUsPerStart.toFixed(0).padStart(16)}  ${`${((r.pairedRatio - 1) * 100).toFixed(1)}%`.padStart(6)}  ${r.pairedRatio <= 1.15 ? 'within 15 %' : 'NOT within 15 %'}`,
    );
  }
  for (const n of notes) console.log(`  ${n}`);
}
