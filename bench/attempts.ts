/**
 * The attempts scenario of `npm run bench` (BENCH_SCENARIOS=attempts runs it alone), per store:
 *
 * 1. verifyd (dist/main.js) starts on an empty database, which migrates it and creates the
 *    account; five services are created over HTTP; verifyd stops.
 * 2. attempts-db.ts seeds BENCH_ATTEMPTS_ROWS sends (default 1,000,000) in bulk with SQL.
 * 3. verifyd starts again on that database (Attempts rate limit raised, retention long enough to
 *    keep every row) and attempts-client.ts times each query shape over HTTP, one request at a time.
 * 4. verifyd stops; attempts-db.ts explains every shape's SQL, times it in process, and measures
 *    what the 002 attempts indexes cost per insert and what the queries do without them.
 */
import { join } from 'node:path';
import { Api } from './api.js';
import type { AnalyzeResult, AnalyzeSpec, ClientSpec, DbTarget, SeedResult, SeedSpec, Shape, ShapeResult } from './attempts-common.js';
import { SERVICE_SHARES } from './attempts-data.js';
import { createBenchDatabase } from './postgres.js';
import { freePort, peakRssMb, runTs, spawnTs, stop, verifydEnv, waitHealthy, VERIFYD_MAIN } from './procs.js';

export interface AttemptsOptions {
  rows: number;
  requests: number;
  warmup: number;
  budgetSeconds: number;
  inserts: number;
  log: (msg: string) => void;
  addCleanup: (fn: () => Promise<void> | void) => void;
}

export interface AttemptsRun {
  store: string;
  seed: SeedResult;
  shapes: Shape[];
  http: ShapeResult[];
  analysis: AnalyzeResult;
  rssMb: number | null;
}

const PAGE_SIZE = 50;
/** Page 200 (rows 10,000-10,049), or half-way for small BENCH_ATTEMPTS_ROWS. */
const deepPages = (rows: number) => Math.min(200, Math.floor(rows / PAGE_SIZE / 2));
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** The keyset token format of src/api/paging.ts: "PA" + base64url("<dateCreated>:<sid>"). */
const token = (c: { dateCreated: number; sid: string }) => `PA${Buffer.from(`${c.dateCreated}:${c.sid}`).toString('base64url')}`;

/** The query shapes, from what was seeded. Service i holds SERVICE_SHARES[i] of the rows. */
export function shapesFor(seed: SeedResult, services: string[]): Shape[] {
  const DEEP_PAGES = deepPages(seed.counts.sends - seed.counts.otherAccountSends);
  const [big, second, , , small] = services as [string, string, string, string, string];
  const to = seed.samples.to;
  const ve = seed.samples.verificationSids;
  const after = seed.now - 7 * DAY;
  const before = seed.now - 20 * DAY;
  const mid = { dateCreated: seed.now - 15 * DAY, sid: `VL${'f'.repeat(32)}` };
  return [
    { name: 'no filter', kind: 'list', queries: [''], filter: {} },
    { name: 'DateCreatedAfter (7 d ago)', kind: 'list', queries: [`DateCreatedAfter=${iso(after)}`], filter: { createdAfter: after } },
    { name: 'DateCreatedBefore (20 d ago)', kind: 'list', queries: [`DateCreatedBefore=${iso(before)}`], filter: { createdBefore: before } },
    { name: 'ChannelData.To', kind: 'list', queries: to.map((t) => `ChannelData.To=${encodeURIComponent(t)}`), filter: { to: to[0] } },
    { name: 'Country=DE', kind: 'list', queries: ['Country=DE'], filter: { country: 'DE' } },
    { name: 'Channel=whatsapp', kind: 'list', queries: ['Channel=whatsapp'], filter: { channel: 'whatsapp' } },
    { name: `VerifyServiceSid (${SERVICE_SHARES[1]! * 100}%)`, kind: 'list', queries: [`VerifyServiceSid=${second}`], filter: { serviceSid: second } },
    { name: 'VerificationSid', kind: 'list', queries: ve.map((v) => `VerificationSid=${v}`), filter: { verificationSid: ve[0] } },
    { name: 'Status=converted', kind: 'list', queries: ['Status=converted'], filter: { converted: true } },
    {
      name: 'Service (25%) + call + converted',
      kind: 'list',
      queries: [`VerifyServiceSid=${second}&Channel=call&Status=converted`],
      filter: { serviceSid: second, channel: 'call', converted: true },
    },
    {
      name: 'Service (3%) + call + converted',
      kind: 'list',
      queries: [`VerifyServiceSid=${small}&Channel=call&Status=converted`],
      filter: { serviceSid: small, channel: 'call', converted: true },
    },
    { name: `page ${DEEP_PAGES} by PageToken`, kind: 'list', queries: [''], filter: {}, deep: { pages: DEEP_PAGES, use: 'next' } },
    { name: `page ${DEEP_PAGES - 1} by PB token (previous)`, kind: 'list', queries: [''], filter: {}, deep: { pages: DEEP_PAGES, use: 'previous' } },
    // A PageToken as the one the page holding rows 15 days old would carry (about half the rows deep):
    // following ~10,000 next_page_urls to get there would take too long.
    {
      name: 'PageToken 15 d deep (~50% of rows)',
      kind: 'list',
      queries: [`PageToken=${token(mid)}`],
      filter: {},
      page: { cursor: mid, offset: 0 },
    },
    { name: 'summary: all rows', kind: 'summary', queries: [''], filter: {} },
    { name: `summary: VerifyServiceSid (50%)`, kind: 'summary', queries: [`VerifyServiceSid=${big}`], filter: { serviceSid: big } },
    {
      name: 'summary: Country=GB, last 7 d',
      kind: 'summary',
      queries: [`Country=GB&DateCreatedAfter=${iso(after)}`],
      filter: { country: 'GB', createdAfter: after },
    },
    { name: 'summary: Channel=sms (82%)', kind: 'summary', queries: ['Channel=sms'], filter: { channel: 'sms' } },
    { name: 'summary: DestinationPrefix=+44', kind: 'summary', queries: [`DestinationPrefix=${encodeURIComponent('+44')}`], filter: { destinationPrefix: '+44' } },
  ];
}

export async function benchAttempts(store: string, tmp: string, o: AttemptsOptions): Promise<AttemptsRun | { skip: string }> {
  const env = verifydEnv({
    // Every measured request would otherwise be 429 after the first 100 a minute.
    ATTEMPTS_RATE_LIMIT_PER_MINUTE: '1000000',
    // Rows span 30 days up to the seeding; the default 30-day retention would start deleting them mid-run.
    ATTEMPT_RETENTION_DAYS: '3650',
  });
  let target: DbTarget;
  if (store === 'sqlite') {
    env.SQLITE_PATH = join(tmp, 'attempts.db');
    target = { store: 'sqlite', path: env.SQLITE_PATH };
  } else if (store === 'postgres') {
    const db = await createBenchDatabase();
    if ('skip' in db) return db;
    o.addCleanup(() => db.drop());
    env.DATABASE_URL = db.url;
    target = { store: 'postgres', url: db.url };
  } else {
    throw new Error(`unknown store ${JSON.stringify(store)} (use sqlite or postgres)`);
  }
  const echo = (line: string) => o.log(`${store}: ${line.trim()}`);

  // 1. Migrate, create the account and the services.
  const services: string[] = [];
  await withVerifyd(env, async (baseUrl, api) => {
    for (let i = 0; i < SERVICE_SHARES.length; i++) services.push(await api.createService(`Attempts ${i + 1}`));
  });

  // 2. Seed.
  o.log(`attempts ${store}: seeding ${o.rows.toLocaleString('en-US')} attempts`);
  const seedSpec: SeedSpec = { cmd: 'seed', target, rows: o.rows, accountSid: env.TWILIO_ACCOUNT_SID!, serviceSids: services };
  const seed = JSON.parse(lastLine(await runTs('bench/attempts-db.ts', JSON.stringify(seedSpec), 20 * 60_000, echo))) as SeedResult;
  const s = seed.seconds;
  o.log(
    `attempts ${store}: seeded ${seed.counts.sends.toLocaleString('en-US')} sends over ${seed.counts.verifications.toLocaleString('en-US')} verifications ` +
      `in ${s.total.toFixed(1)} s (inserts ${s.insert.toFixed(1)} s, index builds ${s.indexes.toFixed(1)} s${store === 'postgres' ? `, VACUUM ANALYZE ${s.vacuum.toFixed(1)} s` : ''})`,
  );

  // 3. Time every shape over HTTP.
  const shapes = shapesFor(seed, services);
  let http: ShapeResult[] = [];
  let rssMb: number | null = null;
  await withVerifyd(env, async (baseUrl, api, pid) => {
    const clientSpec: ClientSpec = {
      baseUrl,
      authorization: api.authorization,
      pageSize: PAGE_SIZE,
      shapes,
      warmup: o.warmup,
      requests: o.requests,
      budgetSeconds: o.budgetSeconds,
      serverPid: pid,
    };
    o.log(`attempts ${store}: timing ${shapes.length} query shapes over HTTP (${o.warmup} warm-up + up to ${o.requests} requests each, one at a time)`);
    http = JSON.parse(lastLine(await runTs('bench/attempts-client.ts', JSON.stringify(clientSpec), 60 * 60_000, echo))) as ShapeResult[];
    rssMb = peakRssMb(pid);
  });

  // 4. Plans, in-process timings, index cost.
  o.log(`attempts ${store}: EXPLAIN, in-process timings and index cost per insert (verifyd stopped)`);
  const analyzeSpec: AnalyzeSpec = {
    cmd: 'analyze',
    target,
    accountSid: env.TWILIO_ACCOUNT_SID!,
    pageSize: PAGE_SIZE,
    shapes: shapes.map((sh) => ({ ...sh, page: http.find((h) => h.name === sh.name)?.page ?? sh.page })),
    oldest: seed.samples.oldest,
    inserts: o.inserts,
    batch: 1000,
  };
  const analysis = JSON.parse(lastLine(await runTs('bench/attempts-db.ts', JSON.stringify(analyzeSpec), 60 * 60_000, echo))) as AnalyzeResult;
  return { store, seed, shapes, http, analysis, rssMb };

  async function withVerifyd(e: Record<string, string>, fn: (baseUrl: string, api: Api, pid: number) => Promise<void>): Promise<void> {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const proc = spawnTs(VERIFYD_MAIN, [], { ...e, PORT: String(port) });
    const api = new Api(baseUrl, e.TWILIO_ACCOUNT_SID!, e.TWILIO_AUTH_TOKEN!);
    try {
      await waitHealthy(proc, baseUrl, 120_000);
      await fn(baseUrl, api, proc.pid);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- verifyd ${store} output (tail) ---\n${proc.output()}`);
    } finally {
      api.close();
      await stop(proc);
    }
  }
}

function lastLine(out: string): string {
  return out.trim().split('\n').pop()!;
}
