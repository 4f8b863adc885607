/**
 * Server CPU per start with the start's protections on against without (issue 13: within 15 %).
 * Three kinds of service on one verifyd per store:
 * - plain: no rate limit, the SMS-pumping guard at the mode's default (`off`: the bench runs in
 *   development mode);
 * - limited: a rate limit `end_user_ip` of two buckets (a minute and an hour, max far above the load,
 *   so nothing is refused), every start metering its own IP;
 * - protected: the same rate limit and the guard at `standard`, set with the CLI as an operator does.
 * Every run gets services of its own, so the guard's counters start empty and its conversion signal
 * (which needs starts at least 3 minutes old, and this bench approves none) never fires. Destinations
 * are spreadNumber's, spread across 12,800 number ranges as real traffic is, for every kind alike:
 * the sequential numbers of the other scenarios are a burst the guard blocks.
 * Starts take turns by kind, BENCH_PROTECTION_ROUNDS times (default 6) each, every run with the
 * throughput scenario's connections, warm-up and duration; the order of the kinds rotates from round
 * to round and reverses every other round (roundOrder), so that a machine slowing down or speeding up
 * during the bench favours no kind (with plain always first, a machine getting slower made every
 * protected run look dearer). Reported: server CPU per start of each kind (median over its runs) and
 * the median over rounds of its ratio to the plain run of the same round (what the verdict uses: it
 * cancels the drift of a shared machine between rounds).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Api } from './api.js';
import { ipFor, spreadNumber, startBody, type BodySpec, type LoadResult, type RunFigures } from './common.js';
import { SERVER_ROOT, VERIFYD_MAIN, spawnTs, stop, waitHealthy } from './procs.js';
import { storeEnv, type ScenarioOpts } from './store-env.js';

export const PROTECTION_KINDS = ['plain', 'limited', 'protected'] as const;
export type ProtectionKind = (typeof PROTECTION_KINDS)[number];

interface KindFigures {
  usPerStart: number;
  rps: number;
  /** Median over rounds of this kind's us per start over the plain run's of the same round. */
  pairedRatio: number;
}

export interface ProtectionRow {
  store: string;
  kinds: Record<ProtectionKind, KindFigures>;
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

/** The kinds in round `round`'s order: rotated by one each round, reversed every other (6 rounds use each order once). */
function roundOrder(round: number): ProtectionKind[] {
  const r = Math.floor(round / 2) % PROTECTION_KINDS.length;
  const order = [...PROTECTION_KINDS.slice(r), ...PROTECTION_KINDS.slice(0, r)];
  return round % 2 === 0 ? order : order.reverse();
}

const RATE_LIMIT = 'end_user_ip';
/** Two buckets no start reaches: the cost of counting, never of refusing. */
const BUCKET_INTERVALS = [60, 3600];
const BUCKET_MAX = 1_000_000;

async function serviceFor(api: Api, kind: ProtectionKind, round: number, setLevel: (sid: string) => void): Promise<string> {
  const sid = await api.createService(`${kind} ${round}`);
  if (kind === 'plain') return sid;
  const rl = await api.json<{ sid: string }>('POST', `/v2/Services/${sid}/RateLimits`, `UniqueName=${RATE_LIMIT}`, 201);
  for (const interval of BUCKET_INTERVALS) await api.json('POST', `/v2/Services/${sid}/RateLimits/${rl.sid}/Buckets`, `Max=${BUCKET_MAX}&Interval=${interval}`, 201);
  if (kind === 'protected') setLevel(sid);
  return sid;
}

export async function benchProtection(store: string, tmp: string, opts: ScenarioOpts & { rounds: number; load: Load; profileDir?: string }): Promise<ProtectionRow | { skip: string }> {
  const setup = await storeEnv(store, tmp, 'protection', opts);
  if ('skip' in setup) return setup;
  const { env, baseUrl } = setup;
  const proc = spawnTs(VERIFYD_MAIN, [], env, opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.profileDir, `protection-${store}`)}`] : []);
  const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!);
  // The operator's way to set a level (`npm run cli -- guard set`), against the same database.
  const setLevel = (sid: string) =>
    execFileSync(process.execPath, [join(SERVER_ROOT, 'dist', 'cli.js'), 'guard', 'set', '--account', env.TWILIO_ACCOUNT_SID!, '--service', sid, '--level', 'standard'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  try {
    await waitHealthy(proc, baseUrl);
    const runs: Record<ProtectionKind, RunFigures[]> = { plain: [], limited: [], protected: [] };
    // ipFor is distinct below 2^24: each run its own slice of it (and of spreadNumber's range).
    const slice = Math.floor(16_000_000 / (PROTECTION_KINDS.length * (opts.rounds + 1)));
    let offset = 0;
    // Round 0 warms every kind's code up and is not counted: a fresh process's first run cost up to
    // 40 % more per start than its next.
    for (let round = 0; round <= opts.rounds; round++) {
      for (const kind of roundOrder(round)) {
        const svc = await serviceFor(api, kind, round, setLevel);
        const body: BodySpec = { kind: 'start', npa: '', spread: true, offset, ...(kind === 'plain' ? {} : { rateLimit: RATE_LIMIT }) };
        offset += slice;
        const r = (await opts.load(baseUrl, `/v2/Services/${svc}/Verifications`, api.authorization, body, proc.pid)).measured;
        if (round > 0) runs[kind].push(r);
        opts.log(`protection ${store} ${kind} ${round === 0 ? 'warm-up' : `round ${round}`}: ${r.rps.toFixed(0)} starts/s, ${usPerRequest(r).toFixed(0)} us server CPU per start, non-2xx ${r.non2xx}`);
      }
    }
    const figures = (kind: ProtectionKind): KindFigures => ({
      usPerStart: median(runs[kind].map(usPerRequest)),
      rps: median(runs[kind].map((r) => r.rps)),
      pairedRatio: median(runs[kind].map((r, i) => usPerRequest(r) / usPerRequest(runs.plain[i]!))),
    });
    return {
      store,
      kinds: { plain: figures('plain'), limited: figures('limited'), protected: figures('protected') },
      non2xx: PROTECTION_KINDS.flatMap((k) => runs[k]).reduce((a, r) => a + r.non2xx + r.errors + r.timeouts, 0),
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- verifyd ${store} output (tail) ---\n${proc.output()}`);
  } finally {
    api.close();
    await stop(proc);
  }
}

const pct = (ratio: number): string => `${((ratio - 1) * 100).toFixed(1)}%`;
const verdict = (ratio: number): string => (ratio <= 1.15 ? 'within 15 %' : 'NOT within 15 %');

export function printProtection(rows: ProtectionRow[], notes: string[]): void {
  console.log('\nProtections: server CPU per start (us), plain against a rate limit of two buckets (limited) and that rate limit with the pumping guard at standard (protected); target: within 15 %');
  console.log('store     plain us/start  limited us/start  paired   protected us/start  paired   plain/s  limited/s  protected/s  non-2xx');
  for (const r of rows) {
    const { plain, limited, protected: prot } = r.kinds;
    console.log(
      `${r.store.padEnd(9)} ${plain.usPerStart.toFixed(0).padStart(14)}  ${limited.usPerStart.toFixed(0).padStart(16)}  ${pct(limited.pairedRatio).padStart(6)}  ${prot.usPerStart.toFixed(0).padStart(18)}  ${pct(prot.pairedRatio).padStart(6)}  ${plain.rps.toFixed(0).padStart(7)}  ${limited.rps.toFixed(0).padStart(9)}  ${prot.rps.toFixed(0).padStart(11)}  ${String(r.non2xx).padStart(7)}  protected ${verdict(prot.pairedRatio)}`,
    );
  }
  console.log('us/start and starts/s: medians over the runs; paired: median over rounds of the kind / the plain run of its round, minus 1 (kinds in rotating order).');
  for (const n of notes) console.log(`  ${n}`);
}

export interface InProcessRow {
  store: string;
  batches: number;
  batchSize: number;
  /** ratio: the kind's mean over plain's (not paired: the batches' order rotates). */
  kinds: Record<ProtectionKind, { usPerStart: number; ratio: number }>;
}

/**
 * The same comparison inside one process, where a shared machine's noise matters least: verifyd's
 * app (test/support/server.ts, the API tests' server) answers starts through fastify's inject, one
 * at a time, in batches of `batchSize` starts of each kind in turn, `batches` times, the kinds' order
 * rotating from batch to batch (so that no kind always follows another's checkpoint or collection);
 * the process's CPU time (process.cpuUsage, every thread) is taken around each batch. Reported: the
 * CPU per start of each kind over all its batches, and its ratio to plain's. One service per kind:
 * the whole run lasts well under the 3 minutes before the guard's conversion signal counts a start.
 */
export async function benchProtectionInProcess(store: 'sqlite' | 'postgres', opts: { batches: number; batchSize: number }): Promise<InProcessRow | { skip: string }> {
  const { startServer } = await import('../test/support/server.js');
  const server = await startServer(store);
  if ('skip' in server) return server;
  try {
    const acct = await server.account();
    const authorization = `Basic ${Buffer.from(`${acct.sid}:${acct.authToken}`).toString('base64')}`;
    const api = acct.client.verify.v2;
    const sids = {} as Record<ProtectionKind, string>;
    for (const kind of PROTECTION_KINDS) {
      const sid = (await api.services.create({ friendlyName: kind })).sid;
      sids[kind] = sid;
      if (kind === 'plain') continue;
      const rl = await api.services(sid).rateLimits.create({ uniqueName: RATE_LIMIT });
      for (const interval of BUCKET_INTERVALS) await api.services(sid).rateLimits(rl.sid).buckets.create({ max: BUCKET_MAX, interval });
      if (kind === 'protected') await server.stores.pumping.setPumpingLevel(acct.sid, sid, 'standard', Date.now());
    }
    let i = 0;
    const batch = async (kind: ProtectionKind): Promise<number> => {
      const before = process.cpuUsage();
      for (let k = 0; k < opts.batchSize; k++, i++) {
        const res = await server.app.inject({
          method: 'POST',
          url: `/v2/Services/${sids[kind]}/Verifications`,
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          payload: startBody(spreadNumber(i), kind === 'plain' ? undefined : { [RATE_LIMIT]: ipFor(i) }),
        });
        if (res.statusCode !== 201) throw new Error(`${kind} start answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
      }
      const used = process.cpuUsage(before);
      return (used.user + used.system) / opts.batchSize;
    };
    for (const kind of PROTECTION_KINDS) await batch(kind);
    const us: Record<ProtectionKind, number[]> = { plain: [], limited: [], protected: [] };
    for (let b = 0; b < opts.batches; b++) for (const kind of roundOrder(b)) us[kind].push(await batch(kind));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    const figures = (kind: ProtectionKind) => ({ usPerStart: mean(us[kind]), ratio: mean(us[kind]) / mean(us.plain) });
    return { store, batches: opts.batches, batchSize: opts.batchSize, kinds: { plain: figures('plain'), limited: figures('limited'), protected: figures('protected') } };
  } finally {
    await server.close();
  }
}

export function printProtectionInProcess(rows: InProcessRow[], notes: string[]): void {
  console.log('\nProtections in one process (fastify inject, one start at a time; process CPU per start, us)');
  console.log('store     batches  plain us/start  limited us/start   ratio  protected us/start   ratio');
  for (const r of rows) {
    const { plain, limited, protected: prot } = r.kinds;
    console.log(
      `${r.store.padEnd(9)} ${`${r.batches}x${r.batchSize}`.padStart(7)}  ${plain.usPerStart.toFixed(0).padStart(14)}  ${limited.usPerStart.toFixed(0).padStart(16)}  ${pct(limited.ratio).padStart(6)}  ${prot.usPerStart.toFixed(0).padStart(18)}  ${pct(prot.ratio).padStart(6)}  protected ${verdict(prot.ratio)}`,
    );
  }
  console.log('us/start: mean over every batch of the kind (rotating order); ratio: over plain\'s, minus 1.');
  for (const n of notes) console.log(`  ${n}`);
}
