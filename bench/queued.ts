/**
 * The send queue under load: verifyd (test/support/queued-main.ts, `npm start` with SMS routed to
 * an HTTP provider) and a stand-in provider in this process that answers 200 at once and notes when
 * each message arrived. Starts are sent BENCH_QUEUED_STARTS times (default 2000) at
 * BENCH_QUEUED_CONCURRENCY (default 20); reported: the start's answer time, and the time from the
 * start's request to the provider receiving its message (commit, wake, claim, derive, send), p50
 * and p99 (after the first tenth, at most 100, as warm-up), and whether every start reached the
 * provider exactly once. Measures this checkout only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Api } from './api.js';
import { createBenchDatabase } from './postgres.js';
import { freePort, spawnTs, stop, verifydEnv, waitHealthy } from './procs.js';

export interface QueuedRow {
  store: string;
  starts: number;
  answerP50: number;
  answerP99: number;
  providerP50: number;
  providerP99: number;
  /** Starts whose message did not reach the provider exactly once. */
  missing: number;
  duplicates: number;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

export async function benchQueued(store: string, tmp: string, opts: { starts: number; concurrency: number; log: (s: string) => void; addCleanup: (fn: () => Promise<void> | void) => void }): Promise<QueuedRow | { skip: string }> {
  const arrived = new Map<string, number[]>();
  const provider = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const { attemptSid } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { attemptSid: string };
      arrived.set(attemptSid, [...(arrived.get(attemptSid) ?? []), at]);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  opts.addCleanup(() => new Promise<void>((r) => provider.close(() => r())));
  const env = verifydEnv({ TEST_PROVIDER_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`, TEST_PROVIDER_GATE: 'off' });
  if (store === 'sqlite') env.SQLITE_PATH = join(tmp, 'queued.db');
  else {
    const db = await createBenchDatabase();
    if ('skip' in db) return db;
    opts.addCleanup(() => db.drop());
    env.DATABASE_URL = db.url;
  }
  const port = await freePort();
  env.PORT = String(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = spawnTs('test/support/queued-main.ts', [], env);
  const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!, opts.concurrency);
  try {
    await waitHealthy(proc, baseUrl);
    const svc = await api.createService('Queued');
    const sent = new Map<string, { at: number; answered: number }>();
    // The first starts warm up the process (JIT, connections): not counted in the figures.
    const warmup = Math.min(100, Math.floor(opts.starts / 10));
    const counted = new Set<string>();
    let next = 0;
    const worker = async () => {
      while (next < opts.starts) {
        const i = next++;
        const to = `+1201555${String(i % 10_000).padStart(4, '0')}`;
        const at = performance.now();
        const v = await api.json<{ send_code_attempts: Array<{ attempt_sid: string }> }>('POST', `/v2/Services/${svc}/Verifications`, `To=${encodeURIComponent(to)}&Channel=sms`, 201);
        const vl = v.send_code_attempts.at(-1)!.attempt_sid;
        sent.set(vl, { at, answered: performance.now() });
        if (i >= warmup) counted.add(vl);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    for (const deadline = Date.now() + 60_000; [...sent.keys()].some((vl) => !arrived.has(vl)) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
    // Room for a duplicate to show up.
    await new Promise((r) => setTimeout(r, 500));
    const measured = [...sent].filter(([vl]) => counted.has(vl));
    const answers = measured.map(([, s]) => s.answered - s.at);
    const toProvider = measured.filter(([vl]) => arrived.has(vl)).map(([vl, s]) => arrived.get(vl)![0]! - s.at);
    const row: QueuedRow = {
      store,
      starts: sent.size,
      answerP50: pct(answers, 50),
      answerP99: pct(answers, 99),
      providerP50: pct(toProvider, 50),
      providerP99: pct(toProvider, 99),
      missing: [...sent.keys()].filter((vl) => !arrived.has(vl)).length,
      duplicates: [...sent.keys()].filter((vl) => (arrived.get(vl)?.length ?? 0) > 1).length,
    };
    opts.log(`queued ${store}: ${row.starts} starts, answer p50 ${row.answerP50.toFixed(1)} ms p99 ${row.answerP99.toFixed(1)} ms; to the provider p50 ${row.providerP50.toFixed(1)} ms p99 ${row.providerP99.toFixed(1)} ms; missing ${row.missing}, sent twice ${row.duplicates}`);
    return row;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- verifyd ${store} output (tail) ---\n${proc.output()}`);
  } finally {
    api.close();
    await stop(proc);
  }
}

export function printQueued(rows: QueuedRow[], notes: string[], concurrency: number): void {
  console.log(`\nSend queue (${concurrency} starts at a time; SMS to a stand-in HTTP provider; times from the start's request, ms)`);
  console.log('store     starts  answer p50  answer p99  provider p50  provider p99  missing  twice');
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(9)} ${String(r.starts).padStart(6)}  ${r.answerP50.toFixed(1).padStart(10)}  ${r.answerP99.toFixed(1).padStart(10)}  ${r.providerP50.toFixed(1).padStart(12)}  ${r.providerP99.toFixed(1).padStart(12)}  ${String(r.missing).padStart(7)}  ${String(r.duplicates).padStart(5)}`,
    );
  }
  for (const n of notes) console.log(`  ${n}`);
}
