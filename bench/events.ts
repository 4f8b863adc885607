/**
 * The events scenario of `npm run bench` (BENCH_SCENARIOS=events runs it alone): how fast status
 * events get from the commit of a start to a webhook receiver's acknowledgement, under the start
 * load of the throughput scenario. Per store, and per webhook batch_events setting (false, true):
 *
 * 1. A webhook receiver (events-receiver.ts) starts as a process of its own, then verifyd
 *    (dist/main.js, as `npm start` runs it, with its in-process dispatcher) on a fresh database.
 * 2. Over HTTP: a service with VerifyEventSubscriptionEnabled=true, a webhook sink pointing at the
 *    receiver, and a subscription of that sink to verification.pending.
 * 3. load.ts drives starts exactly as the throughput start run does (same connections, warm-up and
 *    duration, a new number per request), so every start commits one pending event.
 * 4. After the load stops, the receiver is polled until it holds an event for every verification
 *    verifyd recorded (the Attempts summary of the service: one send per start), or until
 *    BENCH_EVENTS_DRAIN seconds pass; then every receipt is read back and compared.
 *
 * A fresh verifyd and database per batch setting, so the second run does not start on the first
 * one's rows and leftover deliveries.
 */
import { join } from 'node:path';
import { Api } from './api.js';
import { latencyOf, type Latency } from './attempts-common.js';
import type { BodySpec, LoadResult, RunFigures } from './common.js';
import { createBenchDatabase } from './postgres.js';
import { freePort, peakRssMb, spawnTs, stop, verifydEnv, waitHealthy, VERIFYD_MAIN, type Proc } from './procs.js';

export const PENDING_TYPE = 'com.twilio.accountsecurity.verify.verification.pending';

export interface EventsOptions {
  /** batch_events values to run, one row each. */
  batches: boolean[];
  /** Seconds to wait, after the load stops, for the receiver to hold every event of the run. */
  drainSeconds: number;
  load: (baseUrl: string, path: string, authorization: string, body: BodySpec, serverPid: number) => Promise<LoadResult>;
  log: (msg: string) => void;
  addCleanup: (fn: () => Promise<void> | void) => void;
}

export interface EventsRow {
  store: string;
  batch: boolean;
  /** The measured start run, as the throughput scenario reports it. */
  start: RunFigures;
  /** Start requests answered 201 over warm-up and measured run. */
  starts201: number;
  /** Verifications verifyd recorded for the service (one send each): the events there should be. */
  started: number;
  /** Distinct event ids the receiver acknowledged. */
  acked: number;
  /** Receipts of an event id already received (redeliveries). */
  duplicates: number;
  /** Started verifications with no acknowledged event. */
  missing: number;
  /** Verifications with more than one distinct event id (a start should write exactly one). */
  extra: number;
  /** Receipts the receiver could not read (not an array, an event without id or time). */
  unreadable: number;
  /** Distinct events first acknowledged during the measured run, per second. */
  eventsPerSecond: number;
  /** Mean events per webhook request over the whole run. */
  eventsPerRequest: number;
  /** Receive time minus the event's `time`, for events committed during the measured run (ms). */
  lag: Latency;
  /** From the end of the load until the last event of the run was acknowledged (ms); null: not all arrived. */
  drainMs: number | null;
  rssMb: number | null;
}

interface ReceiverStats {
  requests: number;
  receipts: number;
  distinct: number;
  unreadable: number;
  lastReceivedMs: number;
}
/** One event as the receiver got it (GET /records). */
export type Receipt = [id: string, timeMs: number, receivedMs: number, verificationSid: string];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

/** How many verifications the service has: each start made exactly one send, and the summary counts sends. */
async function startedCount(api: Api, serviceSid: string): Promise<number> {
  const s = await api.json<{ total_attempts: number }>('GET', `/v2/Attempts/Summary?VerifyServiceSid=${serviceSid}`, undefined, 200);
  return s.total_attempts;
}

/** Service, webhook sink and subscription, through the /v1 and /v2 APIs as a user would set them up. */
async function subscribe(api: Api, destination: string, batch: boolean): Promise<string> {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const service = await api.json<{ sid: string }>(
    'POST',
    '/v2/Services',
    form({ FriendlyName: 'Bench events', VerifyEventSubscriptionEnabled: 'true' }),
    201,
  );
  const sink = await api.json<{ sid: string }>(
    'POST',
    '/v1/Sinks',
    form({
      Description: `bench receiver (batch_events ${batch})`,
      SinkType: 'webhook',
      SinkConfiguration: JSON.stringify({ destination, method: 'POST', batch_events: batch }),
    }),
    201,
  );
  await api.json(
    'POST',
    '/v1/Subscriptions',
    form({ Description: 'bench: pending', SinkSid: sink.sid, Types: JSON.stringify({ type: PENDING_TYPE, schema_version: 2 }) }),
    201,
  );
  return service.sid;
}

/** Waits until the receiver holds as many distinct events as verifyd has verifications, or the deadline. */
async function drain(api: Api, serviceSid: string, receiverUrl: string, deadline: number): Promise<{ started: number; stats: ReceiverStats }> {
  // Requests autocannon abandoned at the end of its run may still be committing: settle first.
  await sleep(200);
  let started = await startedCount(api, serviceSid);
  for (;;) {
    const stats = await getJson<ReceiverStats>(`${receiverUrl}/stats`);
    if (stats.distinct >= started) {
      // Counted again in case a last start committed after the first count.
      const again = await startedCount(api, serviceSid);
      if (again <= stats.distinct) return { started: again, stats };
      started = again;
      continue;
    }
    if (Date.now() > deadline) return { started, stats };
    await sleep(100);
  }
}

function analyse(receipts: Receipt[], measured: RunFigures, started: number) {
  const first = new Map<string, Receipt>();
  const eventsOf = new Map<string, Set<string>>();
  for (const r of receipts) {
    if (!first.has(r[0])) first.set(r[0], r);
    let ids = eventsOf.get(r[3]);
    if (!ids) eventsOf.set(r[3], (ids = new Set()));
    ids.add(r[0]);
  }
  const from = measured.startedAt!;
  const to = measured.endedAt!;
  let inWindow = 0;
  let lastReceived = 0;
  const lags: number[] = [];
  for (const [, time, received] of first.values()) {
    if (received >= from && received <= to) inWindow += 1;
    if (time >= from && time <= to) lags.push(received - time);
    lastReceived = Math.max(lastReceived, received);
  }
  const acked = first.size;
  return {
    acked,
    duplicates: receipts.length - acked,
    missing: Math.max(0, started - eventsOf.size),
    extra: [...eventsOf.values()].filter((ids) => ids.size > 1).length,
    eventsPerSecond: inWindow / ((to - from) / 1000),
    lag: latencyOf(lags),
    drainMs: acked >= started ? Math.max(0, lastReceived - to) : null,
  };
}

async function runOne(store: string, batch: boolean, tmp: string, o: EventsOptions): Promise<EventsRow | { skip: string }> {
  const label = `events ${store} batch_events=${batch}`;
  const env = verifydEnv();
  if (store === 'sqlite') {
    env.SQLITE_PATH = join(tmp, `events-${batch ? 'batch' : 'single'}.db`);
  } else if (store === 'postgres') {
    const db = await createBenchDatabase();
    if ('skip' in db) return db;
    o.addCleanup(() => db.drop());
    env.DATABASE_URL = db.url;
  } else {
    throw new Error(`unknown store ${JSON.stringify(store)} (use sqlite or postgres)`);
  }
  const receiverPort = await freePort();
  const receiverUrl = `http://127.0.0.1:${receiverPort}`;
  const receiver: Proc = spawnTs('bench/events-receiver.ts', [], { PORT: String(receiverPort) });
  const port = await freePort();
  env.PORT = String(port);
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = spawnTs(VERIFYD_MAIN, [], env);
  const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!);
  try {
    await waitHealthy(receiver, receiverUrl);
    await waitHealthy(proc, baseUrl);
    const serviceSid = await subscribe(api, `${receiverUrl}/events`, batch);
    o.log(`${label}: running (verifyd pid ${proc.pid}, receiver pid ${receiver.pid})`);

    const r = await o.load(baseUrl, `/v2/Services/${serviceSid}/Verifications`, api.authorization, { kind: 'start', npa: '201', offset: 0 }, proc.pid);
    const { started, stats } = await drain(api, serviceSid, receiverUrl, Date.now() + o.drainSeconds * 1000);
    // After the drain, so that a backlog held in memory by the dispatcher counts too.
    const rssMb = peakRssMb(proc.pid);
    const receipts = await getJson<Receipt[]>(`${receiverUrl}/records`);
    const a = analyse(receipts, r.measured, started);
    const starts201 = (r.warmup.statusCodes['201'] ?? 0) + (r.measured.statusCodes['201'] ?? 0);
    const row: EventsRow = {
      store,
      batch,
      start: r.measured,
      starts201,
      started,
      ...a,
      unreadable: stats.unreadable,
      eventsPerRequest: stats.requests === 0 ? 0 : stats.receipts / stats.requests,
      rssMb,
    };
    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
    o.log(
      `${label}: ${r.measured.rps.toFixed(0)} starts/s (p99 ${r.measured.p99} ms); ${row.eventsPerSecond.toFixed(0)} events/s acknowledged during the run; ` +
        `lag p50 ${f(row.lag.p50)} ms, p99 ${f(row.lag.p99)} ms, max ${f(row.lag.max)} ms; ` +
        (row.drainMs === null ? `NOT drained after ${o.drainSeconds} s` : `drained ${(row.drainMs / 1000).toFixed(1)} s after the load`) +
        `; ${row.acked} of ${row.started} events, ${row.missing} missing, ${row.duplicates} duplicates`,
    );
    return row;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- verifyd ${store} output (tail) ---\n${proc.output()}\n--- receiver output (tail) ---\n${receiver.output()}`);
  } finally {
    api.close();
    await stop(proc);
    await stop(receiver);
  }
}

export async function benchEvents(store: string, tmp: string, o: EventsOptions): Promise<EventsRow[] | { skip: string }> {
  const rows: EventsRow[] = [];
  for (const batch of o.batches) {
    const r = await runOne(store, batch, tmp, o);
    if ('skip' in r) return r;
    rows.push(r);
  }
  return rows;
}
