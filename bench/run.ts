/**
 * `npm run bench`: verifyd on SQLite and on PostgreSQL against a bare node:http server, each in its
 * own process, loaded by autocannon in another process over 127.0.0.1. Prints a table: req/s,
 * p50/p99 latency, non-2xx, ratio to the bare server's req/s, and peak RSS.
 *
 * Env: BENCH_DURATION (s, default 10), BENCH_WARMUP (s, default 2), BENCH_CONNECTIONS (default 50),
 * BENCH_STORES (default "sqlite,postgres"), BENCH_CHECK_POOL (pending verifications created for the
 * check run; default sized from the start run), BENCH_DATABASE_URL (admin URL for the throwaway DB),
 * BENCH_PROFILE_DIR (V8 CPU profiles of each verifyd process, node --cpu-prof, in <dir>/<store>/;
 * the largest file is the main thread).
 *
 * BENCH_QUICK=1 (about 2 minutes): SQLite, the throughput scenario (bare, start, check; 2 s warm-up
 * + 8 s per run), queued and providers; any BENCH_* set explicitly still wins. Compare srv us/req (server CPU
 * per request) between runs: it moves much less than req/s with what else the machine is doing.
 * BENCH_ROOT (another checkout, with its node_modules): measure that checkout's verifyd (built here
 * first, run from its dist/) with this harness; scripts/bench-ab.sh runs two checkouts alternately.
 *
 * BENCH_SCENARIOS (default "throughput,events,attempts"): throughput is the above; attempts (attempts.ts)
 * seeds BENCH_ATTEMPTS_ROWS (default 1,000,000) attempts per store and times the Attempts list and
 * summary queries, one request at a time: BENCH_ATTEMPTS_REQUESTS (default 200) per query shape
 * after BENCH_ATTEMPTS_WARMUP (default 20), at most BENCH_ATTEMPTS_SECONDS (default 60) per shape;
 * BENCH_ATTEMPTS_INSERTS (default 20,000) for the index cost per insert; BENCH_ATTEMPTS_JSON (a file
 * to write every figure to).
 *
 * events (events.ts) drives the start run against verifyd with a webhook sink subscribed to
 * verification.pending and a receiver process, and reports events/s acknowledged, commit-to-
 * acknowledgement lag, backlog drain time and whether every start produced exactly one event:
 * BENCH_EVENTS_BATCH (batch_events values, one run each; default "false,true"), BENCH_EVENTS_DRAIN
 * (s to wait for the backlog after the load, default 60). Its ratio uses the bare run of the
 * throughput scenario, or measures one when throughput is not run.
 *
 * queued (queued.ts, also in BENCH_QUICK; not with BENCH_ROOT): starts with SMS routed to a stand-in
 * HTTP provider; the start's answer time and the time until the provider has the message, p50/p99:
 * BENCH_QUEUED_STARTS (default 2000), BENCH_QUEUED_CONCURRENCY (default 20).
 *
 * protection (protection.ts; not in the default list, name it in BENCH_SCENARIOS; `ratelimits` is its
 * former name): server CPU per start plain, with a Service Rate Limit of two buckets, and with that
 * rate limit and the SMS-pumping guard at standard, after a warm-up round, in turn
 * BENCH_PROTECTION_ROUNDS times (default 6; the kinds' order rotates from round to round), each run
 * as long as a throughput run (profiles in BENCH_PROFILE_DIR/protection-<store>); then the same
 * inside one process (the API tests' app through fastify inject, one start at a time, process CPU
 * per start), batches of BENCH_PROTECTION_BATCH (default 50) starts of each kind, the order rotating,
 * BENCH_PROTECTION_BATCHES times (default 30).
 *
 * pumping (pumping.ts; not in the default list): the SMS-pumping guard's traffic simulator, in
 * process on a SQLite file and a simulated clock (about a minute; no server): attack and legitimate
 * starts blocked per protection level. BENCH_PUMPING_SEED, BENCH_PUMPING_RATE (legitimate starts a
 * minute, default 40), BENCH_PUMPING_ATTACK_RATE (default 30). Also `npx tsx bench/pumping.ts`.
 *
 * providers (providers.ts, also in BENCH_QUICK, about 40 s per store): dist/main.js several ways (inbox
 * only; sms to a `twilio` provider at the Twilio REST stand-in; email to an `smtp` provider at a
 * local smtp-server, STARTTLS; sms to an `smpp` provider at a local SMSC; sms to an `http` gateway provider at a local receiving server), each with server CPU per start and its ratio to the inbox's, sends/s
 * reaching the provider, commit-to-provider p50/p99 and missing/duplicates: BENCH_PROVIDERS_STARTS
 * (default 2000), BENCH_PROVIDERS_CONCURRENCY (default 20), BENCH_PROVIDERS_KINDS (default all:
 * inbox,twilio,smtp,twilio+d,http; keep inbox in for the ratio).
 *
 * failover (failover.ts; not in the default list, about a minute per store, name it in
 * BENCH_SCENARIOS): sms routed [backup], [refused, backup] and [silent, backup] (a host that never
 * completes TLS, connect_timeout_ms 300), starts sent on a schedule; start-to-provider p50/p99 of
 * each and the extra over direct, against the connect timeout: BENCH_FAILOVER_STARTS (default 300),
 * BENCH_FAILOVER_RATE (starts a second, default 20).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api } from './api.js';
import { benchAttempts, type AttemptsRun } from './attempts.js';
import { printAttempts } from './attempts-report.js';
import { benchEvents, type EventsRow } from './events.js';
import { benchFailover, printFailover, type FailoverRow } from './failover.js';
import { printEvents } from './events-report.js';
import { PROVIDER_KINDS, benchProviders, measureClientFloor, printProviders, type ProviderKind, type ProvidersRow } from './providers.js';
import { benchPumping, printPumping } from './pumping.js';
import { benchQueued, printQueued, type QueuedRow } from './queued.js';
import { benchProtection, benchProtectionInProcess, printProtection, printProtectionInProcess, type InProcessRow, type ProtectionRow } from './protection.js';
import type { BodySpec, LoadResult, LoadSpec, RunFigures } from './common.js';
import { ROOT, SERVER_ROOT, VERIFYD_MAIN, freePort, killAll, peakRssMb, runTs, spawnTs, stop, waitHealthy, type Proc } from './procs.js';
import { seedCheckPool } from './seed.js';
import { storeEnv } from './store-env.js';
import { printReport, type Row } from './report.js';

function envNum(key: string, def: number, min: number, max: number): number {
  const raw = process.env[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`${key} must be a number between ${min} and ${max} (got ${raw})`);
  return n;
}

// Quick mode only changes defaults, so any BENCH_* set explicitly still wins.
const QUICK = process.env.BENCH_QUICK === '1';
const list = (key: string, def: string) => (process.env[key] || def).split(',').map((s) => s.trim()).filter(Boolean);

const DURATION = envNum('BENCH_DURATION', QUICK ? 8 : 10, 1, 600);
const WARMUP = envNum('BENCH_WARMUP', 2, 0, 60);
const CONNECTIONS = envNum('BENCH_CONNECTIONS', 50, 1, 1000);
const STORES = list('BENCH_STORES', QUICK ? 'sqlite' : 'sqlite,postgres');
// queued runs test/support/queued-main.ts of this checkout: not with BENCH_ROOT (another checkout's verifyd).
// providers runs BENCH_ROOT's dist/main.js and may be named with it; left out by default so A/B quick runs stay short.
// ratelimits: the protection scenario's former name, which measured the rate limits alone.
const SCENARIOS = list('BENCH_SCENARIOS', `${QUICK ? 'throughput' : 'throughput,events,attempts'}${process.env.BENCH_ROOT ? '' : ',queued,providers'}`).map((s) => (s === 'ratelimits' ? 'protection' : s));
const KNOWN_SCENARIOS = ['throughput', 'events', 'attempts', 'queued', 'providers', 'protection', 'failover', 'pumping'];
for (const s of SCENARIOS) if (!KNOWN_SCENARIOS.includes(s)) throw new Error(`unknown BENCH_SCENARIOS entry ${JSON.stringify(s)} (use any of ${KNOWN_SCENARIOS.join(', ')})`);
const EVENT_BATCHES = list('BENCH_EVENTS_BATCH', 'false,true').map((s) => {
  if (s !== 'true' && s !== 'false') throw new Error(`BENCH_EVENTS_BATCH entries must be true or false (got ${JSON.stringify(s)})`);
  return s === 'true';
});
// attempts seeds its database with this checkout's storage code, which need not match BENCH_ROOT's schema.
if (SERVER_ROOT !== ROOT && (SCENARIOS.includes('attempts') || SCENARIOS.includes('queued'))) throw new Error('BENCH_ROOT measures throughput and events only; leave attempts and queued out of BENCH_SCENARIOS');
// The check run needs one pending verification per request; check is expected to be faster than start.
const POOL_FACTOR = 3;

const log = (msg: string) => process.stdout.write(`· ${msg}\n`);

// Async cleanups (drop database, remove temp dir), run once each, newest first, also on Ctrl-C.
const cleanups: Array<() => Promise<void> | void> = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (err) {
      process.stderr.write(`cleanup failed: ${(err as Error).message}\n`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    process.stderr.write(`\n${signal}: stopping; child processes killed, cleaning up\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function load(baseUrl: string, path: string, authorization: string, body: BodySpec, serverPid: number): Promise<LoadResult> {
  const spec: LoadSpec = { baseUrl, path, authorization, connections: CONNECTIONS, warmupSeconds: WARMUP, durationSeconds: DURATION, body, serverPid };
  const out = await runTs('bench/load.ts', JSON.stringify(spec), (WARMUP + DURATION + 60) * 1000);
  return JSON.parse(out.trim().split('\n').pop()!) as LoadResult;
}

const mb = (n: number | null) => (n === null ? 'n/a' : n.toFixed(1));

function summary(r: RunFigures): string {
  const cores = (n: number | null | undefined) => (n == null ? 'n/a' : n.toFixed(2));
  return `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, non-2xx ${r.non2xx}, errors ${r.errors + r.timeouts}; ` +
    `cores used: server ${cores(r.cpu?.server)}, load generator ${cores(r.cpu?.client)}, rest of machine ${cores(r.cpu?.other)}`;
}

/** Runs a scenario on each store: its rows, and a note for each store skipped or failed (a failure fails the bench). */
async function eachStore<R>(scenario: string, run: (store: string) => Promise<R | R[] | { skip: string }>): Promise<{ rows: R[]; notes: string[]; failed: boolean }> {
  const out = { rows: [] as R[], notes: [] as string[], failed: false };
  for (const store of STORES) {
    try {
      const r = await run(store);
      if (r !== null && typeof r === 'object' && 'skip' in r) out.notes.push(`${scenario} ${store} skipped: ${r.skip}`);
      else out.rows.push(...(Array.isArray(r) ? r : [r as R]));
    } catch (err) {
      out.failed = true;
      out.notes.push(`${scenario} ${store} FAILED: ${(err as Error).message}`);
    }
  }
  return out;
}

/** Which code was measured: the commit, and whether the working tree differed from it. */
function gitState(): string {
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: SERVER_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git(['rev-parse', '--short', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--', 'src']);
    return dirty ? `${head} + uncommitted changes in src/` : head;
  } catch {
    return 'unknown (no git)';
  }
}

async function benchBare(): Promise<Row> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = spawnTs('bench/bare-server.ts', [], { PORT: String(port) });
  try {
    await waitHealthy(proc, baseUrl);
    log('bare node:http: running');
    // Same request shape and client work as the start scenario, so the ratio compares servers only.
    const r = await load(baseUrl, '/v2/Services/VA00000000000000000000000000000000/Verifications', 'Basic YmVuY2g6YmVuY2g=', { kind: 'start', npa: '201', offset: 0 }, proc.pid);
    log(`bare node:http: ${summary(r.measured)}`);
    return { scenario: 'bare', store: 'node:http', figures: r.measured, rssMb: peakRssMb(proc.pid) };
  } finally {
    await stop(proc);
  }
}

async function benchVerifyd(store: string, tmp: string): Promise<Row[] | { skip: string }> {
  const where = await storeEnv(store, tmp, 'verifyd', { log, addCleanup: (fn) => cleanups.push(fn) });
  if ('skip' in where) return where;
  const { env, baseUrl } = where;
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const proc: Proc = spawnTs(VERIFYD_MAIN, [], env, profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, store)}`] : []);
  const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!);
  try {
    await waitHealthy(proc, baseUrl);
    const startService = await api.createService('Bench');
    const poolService = await api.createService('Bench check pool');
    log(`verifyd ${store}: running (pid ${proc.pid})`);

    const start = await load(baseUrl, `/v2/Services/${startService}/Verifications`, api.authorization, { kind: 'start', npa: '201', offset: 0 }, proc.pid);
    const startRss = peakRssMb(proc.pid);
    log(`verifyd ${store} start: ${summary(start.measured)}; peak RSS ${mb(startRss)} MB`);

    const poolSize = Math.ceil(envNum('BENCH_CHECK_POOL', Math.max(start.measured.rps, 500) * POOL_FACTOR * (WARMUP + DURATION), 1, 8_000_000));
    const t0 = Date.now();
    const pool = await seedCheckPool(api, poolService, poolSize, '202');
    const poolFile = join(tmp, `pool-${store}.json`);
    writeFileSync(poolFile, JSON.stringify(pool));
    log(`verifyd ${store}: seeded ${pool.length} pending verifications for the check run in ${((Date.now() - t0) / 1000).toFixed(1)} s (peak RSS so far ${mb(peakRssMb(proc.pid))} MB)`);

    const check = await load(baseUrl, `/v2/Services/${poolService}/VerificationCheck`, api.authorization, { kind: 'check', poolFile }, proc.pid);
    const endRss = peakRssMb(proc.pid);
    log(`verifyd ${store} check: ${summary(check.measured)}; peak RSS ${mb(endRss)} MB`);
    if (check.pool && check.pool.wanted > check.pool.size) {
      log(`verifyd ${store} check: POOL EXHAUSTED (${check.pool.wanted} requests for ${check.pool.size} verifications); raise BENCH_CHECK_POOL`);
    }
    return [
      { scenario: 'start', store, figures: start.measured, rssMb: startRss },
      { scenario: 'check', store, figures: check.measured, rssMb: endRss },
    ];
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- verifyd ${store} output (tail) ---\n${proc.output()}`);
  } finally {
    api.close();
    await stop(proc);
  }
}

async function main(): Promise<number> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  log(`node ${process.version}, ${availableParallelism()} CPUs (${cpu}), ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s per run${QUICK ? ' (BENCH_QUICK)' : ''}`);
  if (process.env.BENCH_ROOT) {
    // npm run bench builds this checkout only (bench-ab.sh none): the measured one must run its current source.
    log(`verifyd from ${SERVER_ROOT}: building`);
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: SERVER_ROOT, stdio: 'inherit' });
  }
  log(`code: ${gitState()}${SERVER_ROOT === ROOT ? '' : ` (${SERVER_ROOT})`}; load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const tmp = mkdtempSync(join(tmpdir(), 'verifyd-bench-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  const rows: Row[] = [];
  const notes: string[] = [];
  const attempts: AttemptsRun[] = [];
  const attemptNotes: string[] = [];
  let failed = false;
  // The bare server's run, shared by the throughput and events tables.
  let bare: Row | undefined;
  try {
    if (SCENARIOS.includes('throughput')) {
      rows.push((bare = await benchBare()));
      for (const store of STORES) {
        try {
          const r = await benchVerifyd(store, tmp);
          if ('skip' in r) notes.push(`${store} skipped: ${r.skip}`);
          else rows.push(...r);
        } catch (err) {
          failed = true;
          notes.push(`${store} FAILED: ${(err as Error).message}`);
        }
      }
      printReport(rows, notes, { connections: CONNECTIONS, duration: DURATION });
    }
    if (SCENARIOS.includes('events')) {
      bare ??= await benchBare();
      const opts = {
        batches: EVENT_BATCHES,
        drainSeconds: envNum('BENCH_EVENTS_DRAIN', 60, 1, 3600),
        load,
        log,
        addCleanup: (fn: () => Promise<void> | void) => cleanups.push(fn),
      };
      const events = await eachStore<EventsRow>('events', (store) => benchEvents(store, tmp, opts));
      failed ||= events.failed;
      printEvents(events.rows, bare, events.notes, { connections: CONNECTIONS, warmup: WARMUP, duration: DURATION });
    }
    if (SCENARIOS.includes('attempts')) {
      const opts = {
        rows: envNum('BENCH_ATTEMPTS_ROWS', 1_000_000, 1000, 20_000_000),
        requests: envNum('BENCH_ATTEMPTS_REQUESTS', 200, 10, 100_000),
        warmup: envNum('BENCH_ATTEMPTS_WARMUP', 20, 0, 10_000),
        budgetSeconds: envNum('BENCH_ATTEMPTS_SECONDS', 60, 1, 3600),
        inserts: envNum('BENCH_ATTEMPTS_INSERTS', 20_000, 1000, 1_000_000),
        log,
        addCleanup: (fn: () => Promise<void> | void) => cleanups.push(fn),
      };
      for (const store of STORES) {
        try {
          const r = await benchAttempts(store, tmp, opts);
          if ('skip' in r) attemptNotes.push(`attempts ${store} skipped: ${r.skip}`);
          else {
            attempts.push(r);
            printAttempts(r);
          }
        } catch (err) {
          failed = true;
          attemptNotes.push(`attempts ${store} FAILED: ${(err as Error).message}`);
        }
      }
      for (const n of attemptNotes) process.stdout.write(`${n}\n`);
      const jsonFile = process.env.BENCH_ATTEMPTS_JSON;
      if (jsonFile) writeFileSync(jsonFile, JSON.stringify(attempts, null, 2));
    }
    if (SCENARIOS.includes('queued')) {
      const concurrency = envNum('BENCH_QUEUED_CONCURRENCY', 20, 1, 1000);
      const opts = { starts: envNum('BENCH_QUEUED_STARTS', 2000, 10, 1_000_000), concurrency, log, addCleanup: (fn: () => Promise<void> | void) => cleanups.push(fn) };
      const queued = await eachStore<QueuedRow>('queued', (store) => benchQueued(store, tmp, opts));
      failed ||= queued.failed;
      printQueued(queued.rows, queued.notes, concurrency);
    }
    if (SCENARIOS.includes('protection')) {
      const opts = { rounds: envNum('BENCH_PROTECTION_ROUNDS', 6, 1, 24), load, log, profileDir: process.env.BENCH_PROFILE_DIR, addCleanup: (fn: () => Promise<void> | void) => cleanups.push(fn) };
      const protection = await eachStore<ProtectionRow>('protection', (store) => benchProtection(store, tmp, opts));
      failed ||= protection.failed;
      printProtection(protection.rows, protection.notes);
      const inProcessOpts = { batches: envNum('BENCH_PROTECTION_BATCHES', 30, 2, 1000), batchSize: envNum('BENCH_PROTECTION_BATCH', 50, 1, 10_000) };
      const inProcess = await eachStore<InProcessRow>('protection in-process', (store) => benchProtectionInProcess(store as 'sqlite' | 'postgres', inProcessOpts));
      failed ||= inProcess.failed;
      printProtectionInProcess(inProcess.rows, inProcess.notes);
    }
    if (SCENARIOS.includes('pumping')) {
      const num = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
      printPumping(await benchPumping({ seed: num('BENCH_PUMPING_SEED'), legitPerMinute: num('BENCH_PUMPING_RATE'), attackPerMinute: num('BENCH_PUMPING_ATTACK_RATE') }), (line) => process.stdout.write(`${line}\n`));
    }
    if (SCENARIOS.includes('providers')) {
      const concurrency = envNum('BENCH_PROVIDERS_CONCURRENCY', 20, 1, 1000);
      const kinds = list('BENCH_PROVIDERS_KINDS', PROVIDER_KINDS.join(','));
      for (const k of kinds) if (!(PROVIDER_KINDS as string[]).includes(k)) throw new Error(`unknown BENCH_PROVIDERS_KINDS entry ${JSON.stringify(k)} (use any of ${PROVIDER_KINDS.join(', ')})`);
      const opts = {
        starts: envNum('BENCH_PROVIDERS_STARTS', 2000, 10, 1_000_000),
        kinds: kinds as ProviderKind[],
        concurrency,
        profileDir: process.env.BENCH_PROFILE_DIR,
        log,
        addCleanup: (fn: () => Promise<void> | void) => cleanups.push(fn),
      };
      const providers = await eachStore<ProvidersRow>('providers', (store) => benchProviders(store, tmp, opts));
      failed ||= providers.failed;
      const floor = await measureClientFloor(opts.starts, concurrency, opts.addCleanup);
      log(`providers client floor: ${floor.usPerRequest.toFixed(0)} us CPU per request`);
      printProviders(providers.rows, providers.notes, concurrency, floor);
    }
    if (SCENARIOS.includes('failover')) {
      const opts = {
        starts: envNum('BENCH_FAILOVER_STARTS', 300, 10, 100_000),
        ratePerSecond: envNum('BENCH_FAILOVER_RATE', 20, 1, 10_000),
        log,
        addCleanup: (fn: () => Promise<void> | void) => cleanups.push(fn),
      };
      const failover = await eachStore<FailoverRow>('failover', (store) => benchFailover(store, tmp, opts));
      failed ||= failover.failed;
      printFailover(failover.rows, failover.notes, opts);
    }
  } finally {
    await cleanUp();
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    await cleanUp();
    process.exit(1);
  },
);
