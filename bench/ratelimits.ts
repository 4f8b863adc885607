/**
 * Server CPU per start with Service Rate Limits against without (issue 13: within 15 %). One verifyd
 * per store with two services: one plain, one with a rate limit `end_user_ip` of two buckets (a
 * minute and an hour, max far above the load, so nothing is refused). Starts alternate between the
 * two, plain first, BENCH_RATELIMITS_ROUNDS times (default 2) each, every run with the throughput
 * scenario's connections, warm-up and duration; the limited starts meter a distinct IP each (the
 * common case: many users), so they never wait on each other's counter rows. Reported: srv us/start
 * (server CPU time per start) of each kind, averaged over its runs, and their ratio.
 */
import { Api } from './api.js';
import type { BodySpec, LoadResult, RunFigures } from './common.js';
import { VERIFYD_MAIN, spawnTs, stop, waitHealthy } from './procs.js';
import { storeEnv, type ScenarioOpts } from './store-env.js';

export interface RateLimitsRow {
  store: string;
  plainUsPerStart: number;
  limitedUsPerStart: number;
  plainRps: number;
  limitedRps: number;
  non2xx: number;
}

type Load = (baseUrl: string, path: string, authorization: string, body: BodySpec, serverPid: number) => Promise<LoadResult>;

const usPerRequest = (f: RunFigures): number => (f.cpu?.server == null || f.rps === 0 ? NaN : (f.cpu.server / f.rps) * 1e6);
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

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
        offset += 1_000_000;
        const r = (await opts.load(baseUrl, `/v2/Services/${svc}/Verifications`, api.authorization, body, proc.pid)).measured;
        runs[kind].push(r);
        opts.log(`ratelimits ${store} ${kind} round ${round + 1}: ${r.rps.toFixed(0)} starts/s, ${usPerRequest(r).toFixed(0)} us server CPU per start, non-2xx ${r.non2xx}`);
      }
    }
    return {
      store,
      plainUsPerStart: mean(runs.plain.map(usPerRequest)),
      limitedUsPerStart: mean(runs.limited.map(usPerRequest)),
      plainRps: mean(runs.plain.map((r) => r.rps)),
      limitedRps: mean(runs.limited.map((r) => r.rps)),
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
  console.log('store     plain us/start  limited us/start  ratio    plain starts/s  limited starts/s  non-2xx');
  for (const r of rows) {
    const ratio = r.limitedUsPerStart / r.plainUsPerStart;
    console.log(
      `${r.store.padEnd(9)} ${r.plainUsPerStart.toFixed(0).padStart(14)}  ${r.limitedUsPerStart.toFixed(0).padStart(16)}  ${`${((ratio - 1) * 100).toFixed(1)}%`.padStart(6)}  ${r.plainRps.toFixed(0).padStart(14)}  ${r.limitedRps.toFixed(0).padStart(16)}  ${String(r.non2xx).padStart(7)}  ${ratio <= 1.15 ? 'within 15 %' : 'NOT within 15 %'}`,
    );
  }
  for (const n of notes) console.log(`  ${n}`);
}
