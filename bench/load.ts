/**
 * The load generator, run in its own process by run.ts: `node --import tsx bench/load.ts < spec.json`
 * (a LoadSpec on stdin).
 * Runs a warm-up then the measured run with autocannon and prints one LoadResult as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import autocannon, { type Result } from 'autocannon';
import { share, snapshot } from './cpu.js';
import { checkBody, ipFor, phoneNumber, spreadNumber, startBody, type LoadResult, type LoadSpec, type RunFigures } from './common.js';

function bodySource(spec: LoadSpec): { next: () => string | Buffer; pool?: () => { size: number; wanted: number } } {
  const b = spec.body;
  if (b.kind === 'start') {
    let i = b.offset;
    const name = b.rateLimit;
    const to = (k: number) => (b.spread ? spreadNumber(k) : phoneNumber(b.npa, k));
    return { next: () => (name === undefined ? startBody(to(i++)) : startBody(to(i), { [name]: ipFor(i++) })) };
  }
  const pairs = JSON.parse(readFileSync(b.poolFile, 'utf8')) as Array<[string, string]>;
  if (pairs.length === 0) throw new Error('empty check pool');
  const bodies = pairs.map(([to, code]) => Buffer.from(checkBody(to, code)));
  let i = 0;
  // Past the end the last pair is sent again: it answers 404, which shows up as non-2xx.
  return {
    next: () => bodies[Math.min(i++, bodies.length - 1)]!,
    pool: () => ({ size: bodies.length, wanted: i }),
  };
}

function figures(r: Result): RunFigures {
  const statusCodes: Record<string, number> = {};
  for (const [code, s] of Object.entries(r.statusCodeStats)) statusCodes[code] = s.count;
  return {
    rps: r.requests.average,
    total: r.requests.total,
    durationSeconds: r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    mean: r.latency.mean,
    max: r.latency.max,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
  };
}

async function main(): Promise<void> {
  // The spec comes on stdin (not argv) so the Authorization header does not show in `ps`.
  const spec = JSON.parse(readFileSync(0, 'utf8')) as LoadSpec;
  const source = bodySource(spec);
  const run = (duration: number) =>
    autocannon({
      url: spec.baseUrl,
      connections: spec.connections,
      duration,
      timeout: 10,
      requests: [
        {
          method: 'POST',
          path: spec.path,
          headers: { authorization: spec.authorization, 'content-type': 'application/x-www-form-urlencoded' },
          setupRequest: (req) => ({ ...req, body: source.next() }),
        },
      ],
    });
  const warmup = figures(await run(spec.warmupSeconds));
  const before = snapshot(spec.serverPid);
  const startedAt = Date.now();
  const measured = figures(await run(spec.durationSeconds));
  const endedAt = Date.now();
  measured.cpu = share(before, snapshot(spec.serverPid), availableParallelism());
  measured.startedAt = startedAt;
  measured.endedAt = endedAt;
  const result: LoadResult = { warmup, measured, ...(source.pool ? { pool: source.pool() } : {}) };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
