/**
 * The send queue under load: verifyd (test/support/queued-main.ts, `npm start` with SMS routed to
 * an HTTP provider) and a stand-in provider in this process that answers 200 at once and notes when
 * each message arrived. Starts are sent BENCH_QUEUED_STARTS times (default 2000) at
 * BENCH_QUEUED_CONCURRENCY (default 20) after a warm-up of a tenth (at most 100) of that (sends.ts);
 * reported: the start's answer time, and the time from the start's request to the provider receiving
 * its message (commit, wake, claim, derive, send), p50 and p99, and whether every start reached the
 * provider exactly once. Measures this checkout only.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Api } from './api.js';
import { spawnTs, stop, waitHealthy } from './procs.js';
import { runStarts, type SendFigures } from './sends.js';
import { storeEnv, type ScenarioOpts } from './store-env.js';

export interface QueuedRow extends SendFigures {
  store: string;
}

export async function benchQueued(store: string, tmp: string, opts: ScenarioOpts & { starts: number; concurrency: number }): Promise<QueuedRow | { skip: string }> {
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
  const setup = await storeEnv(store, tmp, 'queued', opts, { TEST_PROVIDER_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}`, TEST_PROVIDER_GATE: 'off' });
  if ('skip' in setup) return setup;
  const { env, baseUrl } = setup;
  const proc = spawnTs('test/support/queued-main.ts', [], env);
  const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!, opts.concurrency);
  try {
    await waitHealthy(proc, baseUrl);
    const svc = await api.createService('Queued');
    const warmup = Math.min(100, Math.floor(opts.starts / 10));
    const figures = await runStarts(api, svc, { starts: opts.starts, warmup, concurrency: opts.concurrency, channel: 'sms', serverPid: proc.pid, arrived, keyBy: 'attempt' });
    const row: QueuedRow = { store, ...figures };
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
