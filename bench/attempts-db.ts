/**
 * Direct database work for the attempts scenario, run as a child process by attempts.ts with a
 * spec on stdin and one JSON result line on stdout (progress on stderr):
 *
 * - seed: bulk-inserts verifications and sends (attempts-data.ts) into a database verifyd has
 *   migrated, with the services verifyd created. The secondary indexes of both tables are dropped
 *   first and built again afterwards (from the database's own catalog, so whatever the migrations
 *   define); PostgreSQL then gets VACUUM ANALYZE, as autovacuum would do to a table this size.
 * - analyze (verifyd stopped): for every query shape, the exact SQL the app runs (captured from
 *   src/storage/attempts.ts through Kysely's log), its plan, and its execution time in
 *   process; the cost per insert of the attempts indexes (through the app's own store and
 *   insertSend); then the same plans and timings with the 002 attempts indexes dropped.
 */
import { configureSqlite } from '../src/storage/open.js';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { SendAttempt } from '../src/domain/types.js';
import { SqlAttemptStore } from '../src/storage/attempts.js';
import { POSTGRES, SQLITE } from '../src/storage/dialect.js';
import { openStores } from '../src/storage/open.js';
import { CommitSignal } from '../src/storage/outbox.js';
import { SqlVerificationStore } from '../src/storage/verifications.js';
import type { Database } from '../src/storage/schema.js';
import {
  latencyOf,
  progress,
  readSpec,
  type AnalyzeResult,
  type AnalyzeSpec,
  type DbTarget,
  type InsertCost,
  type Latency,
  type QueryReport,
  type SeedResult,
  type SeedSpec,
} from './attempts-common.js';
import { SEND_COLUMNS, VERIFICATION_COLUMNS, checkNumbers, generate, type Samples, type SendRow, type VerificationRow } from './attempts-data.js';

const TABLES = ['verifications', 'verification_sends'];
const BATCH_SENDS = 50_000;
const OTHER_ACCOUNT_ROWS = 300;
const secs = (t0: number) => (performance.now() - t0) / 1000;

// ---------------------------------------------------------------- a small driver over both stores

interface Raw {
  exec(sql: string): Promise<void>;
  all(sql: string, params?: readonly unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** The app's SQLite connection settings (src/storage/open.ts), so timings see the same page cache. */
function appSqlite(path: string): BetterSqlite3.Database {
  return configureSqlite(new BetterSqlite3(path));
}

function sqliteRaw(db: BetterSqlite3.Database): Raw {
  // Prepared once per SQL text, as the app's statement cache does (src/storage/open.ts).
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    exec: async (sql) => {
      cache.clear();
      db.exec(sql);
    },
    all: async (sql, params = []) => {
      let stmt = cache.get(sql);
      if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
      if (stmt.reader) return stmt.all(...params) as Array<Record<string, unknown>>;
      stmt.run(...params);
      return [];
    },
    close: async () => void db.close(),
  };
}

function pgRaw(client: pg.Client): Raw {
  return {
    exec: async (sql) => void (await client.query(sql)),
    all: async (sql, params = []) => (await client.query({ text: sql, values: params as unknown[] })).rows as Array<Record<string, unknown>>,
    close: () => client.end(),
  };
}

async function connect(target: DbTarget): Promise<Raw> {
  if (target.store === 'sqlite') return sqliteRaw(appSqlite(target.path));
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  return pgRaw(client);
}

/** Secondary indexes of the tables (not the primary keys), with their definitions. */
async function secondaryIndexes(raw: Raw, target: DbTarget, tables: string[]): Promise<Array<{ name: string; def: string }>> {
  if (target.store === 'sqlite') {
    const rows = await raw.all(
      `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (${tables.map(() => '?').join(',')})`,
      tables,
    );
    return rows.map((r) => ({ name: String(r.name), def: String(r.sql) }));
  }
  const rows = await raw.all(
    `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [tables],
  );
  return rows.map((r) => ({ name: String(r.name), def: String(r.def) }));
}

// ---------------------------------------------------------------- seed

async function seed(spec: SeedSpec): Promise<SeedResult> {
  checkNumbers();
  const t0 = performance.now();
  const now = Date.now();
  const otherAccountSid = `AC${randomBytes(16).toString('hex')}`;
  const otherServiceSid = `VA${randomBytes(16).toString('hex')}`;
  const samples: Samples = { to: [], verificationSids: [], oldest: now, newest: 0 };
  const data = generate(
    { rows: spec.rows, accountSid: spec.accountSid, serviceSids: spec.serviceSids, otherAccountSid, otherServiceSid, otherRows: OTHER_ACCOUNT_ROWS, now, seed: 20_241_122 },
    BATCH_SENDS,
    samples,
  );
  const counts = { sends: 0, verifications: 0, otherAccountSends: 0 };
  const count = (b: { verifications: VerificationRow[]; sends: SendRow[] }) => {
    counts.verifications += b.verifications.length;
    counts.sends += b.sends.length;
    if (b.sends[0]?.account_sid === otherAccountSid) counts.otherAccountSends += b.sends.length;
  };
  const seconds = { total: 0, insert: 0, indexes: 0, vacuum: 0 };
  const copyService = `INSERT INTO services (sid, account_sid, friendly_name, config, date_created, date_updated)
    SELECT ?, ?, 'Other account', config, date_created, date_updated FROM services WHERE sid = ?`;

  if (spec.target.store === 'sqlite') {
    const db = new BetterSqlite3(spec.target.path);
    // Bulk-load settings: verifyd is stopped, and it sets WAL (and its own settings) again when it opens the file.
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -1048576');
    db.pragma('temp_store = MEMORY');
    db.pragma('foreign_keys = ON');
    const raw = sqliteRaw(db);
    const indexes = await secondaryIndexes(raw, spec.target, TABLES);
    for (const i of indexes) db.exec(`DROP INDEX ${i.name}`);
    db.prepare(copyService).run(otherServiceSid, otherAccountSid, spec.serviceSids[0]);
    const t1 = performance.now();
    const insert = (table: string, columns: readonly string[], rowsPerStmt: number) => {
      const tuple = `(${columns.map(() => '?').join(',')})`;
      const stmts = new Map<number, BetterSqlite3.Statement>();
      const stmt = (n: number) => {
        let s = stmts.get(n);
        if (!s) stmts.set(n, (s = db.prepare(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${Array(n).fill(tuple).join(',')}`)));
        return s;
      };
      return (rows: Array<Record<string, unknown>>) => {
        for (let i = 0; i < rows.length; i += rowsPerStmt) {
          const chunk = rows.slice(i, i + rowsPerStmt);
          const params: unknown[] = [];
          for (const r of chunk) for (const c of columns) params.push(r[c]);
          stmt(chunk.length).run(params);
        }
      };
    };
    const insertVerifications = insert('verifications', VERIFICATION_COLUMNS, 500);
    const insertSends = insert('verification_sends', SEND_COLUMNS, 500);
    const batch = db.transaction((b: { verifications: VerificationRow[]; sends: SendRow[] }) => {
      insertVerifications(b.verifications as unknown as Array<Record<string, unknown>>);
      insertSends(b.sends as unknown as Array<Record<string, unknown>>);
    });
    for (const b of data) {
      batch(b);
      count(b);
      if (counts.sends % 200_000 < BATCH_SENDS) progress(`  seeded ${counts.sends} sends (${secs(t1).toFixed(1)} s)`);
    }
    seconds.insert = secs(t1);
    const t2 = performance.now();
    for (const i of indexes) db.exec(i.def);
    seconds.indexes = secs(t2);
    db.pragma('journal_mode = WAL');
    db.close();
  } else {
    const client = new pg.Client({ connectionString: spec.target.url });
    await client.connect();
    const raw = pgRaw(client);
    const indexes = await secondaryIndexes(raw, spec.target, TABLES);
    for (const i of indexes) await raw.exec(`DROP INDEX ${i.name}`);
    await raw.all(copyService.replace('?', '$1').replace('?', '$2').replace('?', '$3'), [otherServiceSid, otherAccountSid, spec.serviceSids[0]]);
    const types: Record<string, string> = {
      code_length: 'int', custom_code: 'int', check_count: 'int', send_count: 'int', attempt_number: 'int', error_code: 'int', converted: 'int',
      expires_at: 'bigint', date_created: 'bigint', date_updated: 'bigint',
    };
    const unnest = (table: string, columns: readonly string[]) =>
      `INSERT INTO ${table} (${columns.join(',')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${types[c] ?? 'text'}[]`).join(',')})`;
    const columnsOf = (rows: Array<Record<string, unknown>>, columns: readonly string[]) => columns.map((c) => rows.map((r) => r[c]));
    const t1 = performance.now();
    // One statement per column array (unnest), the next batch generated while the database works on this one.
    let pending: Promise<unknown> = Promise.resolve();
    for (const b of data) {
      const v = columnsOf(b.verifications as unknown as Array<Record<string, unknown>>, VERIFICATION_COLUMNS);
      const s = columnsOf(b.sends as unknown as Array<Record<string, unknown>>, SEND_COLUMNS);
      await pending;
      pending = (async () => {
        await client.query(unnest('verifications', VERIFICATION_COLUMNS), v);
        await client.query(unnest('verification_sends', SEND_COLUMNS), s);
      })();
      count(b);
      if (counts.sends % 200_000 < BATCH_SENDS) progress(`  seeded ${counts.sends} sends (${secs(t1).toFixed(1)} s)`);
    }
    await pending;
    seconds.insert = secs(t1);
    const t2 = performance.now();
    await raw.exec(`SET maintenance_work_mem = '256MB'`);
    for (const i of indexes) await raw.exec(i.def);
    seconds.indexes = secs(t2);
    const t3 = performance.now();
    await raw.exec('VACUUM ANALYZE verifications');
    await raw.exec('VACUUM ANALYZE verification_sends');
    await raw.exec('VACUUM ANALYZE services');
    seconds.vacuum = secs(t3);
    await client.end();
  }
  seconds.total = secs(t0);
  return { seconds, counts, now, samples, otherAccountSid };
}

// ---------------------------------------------------------------- analyze

/** A Kysely over its own connection whose log keeps the last query it ran. */
async function capturingKysely(target: DbTarget): Promise<{ db: Kysely<Database>; last: () => CompiledQuery; close: () => Promise<void> }> {
  let last: CompiledQuery | undefined;
  const log = (e: { level: string; query: CompiledQuery }) => {
    if (e.level === 'query' && !/^\s*(begin|commit|rollback)\b/i.test(e.query.sql)) last = e.query;
  };
  const dialect =
    target.store === 'sqlite'
      ? new SqliteDialect({ database: appSqlite(target.path) })
      : new PostgresDialect({ pool: new pg.Pool({ connectionString: target.url, max: 1 }) });
  const db = new Kysely<Database>({ dialect, log });
  return {
    db,
    last: () => {
      if (!last) throw new Error('no query captured');
      return last;
    },
    close: () => db.destroy(),
  };
}

/** The statements to explain: each shape's query exactly as the app builds it, and the retention purge. */
async function captureQueries(spec: AnalyzeSpec): Promise<Array<{ name: string; sql: string; params: readonly unknown[]; dml: boolean }>> {
  const k = await capturingKysely(spec.target);
  const out: Array<{ name: string; sql: string; params: readonly unknown[]; dml: boolean }> = [];
  const attempts = new SqlAttemptStore(k.db);
  const verifications = new SqlVerificationStore(k.db, spec.target.store === 'sqlite' ? SQLITE : POSTGRES, new CommitSignal(), new CommitSignal());
  try {
    for (const s of spec.shapes) {
      if (s.kind === 'list') {
        await attempts.listAttempts(spec.accountSid, s.filter, { cursor: s.page?.cursor, back: s.page?.back, offset: s.page?.offset ?? 0, limit: spec.pageSize + 1 });
      } else {
        await attempts.summarizeAttempts(spec.accountSid, s.filter);
      }
      const q = k.last();
      out.push({ name: s.name, sql: q.sql, params: q.parameters, dml: false });
    }
    // Nothing is older than the oldest row: the purge deletes nothing, but still looks for it.
    await attempts.purgeAttempts(spec.oldest - 1, 1000);
    const q = k.last();
    out.push({ name: 'retention purge (every 60 s)', sql: q.sql, params: q.parameters, dml: true });
    // The same job then deletes the verifications left without attempts (none here either).
    await verifications.purgeVerifications(spec.oldest - 1, 1000);
    const v = k.last();
    out.push({ name: 'retention purge: verifications', sql: v.sql, params: v.parameters, dml: true });
  } finally {
    await k.close();
  }
  return out;
}

async function explain(raw: Raw, target: DbTarget, q: { sql: string; params: readonly unknown[]; dml: boolean }): Promise<string[]> {
  if (target.store === 'sqlite') {
    const rows = await raw.all(`EXPLAIN QUERY PLAN ${q.sql}`, q.params);
    return rows.map((r) => String(r.detail));
  }
  await raw.exec('BEGIN');
  try {
    const rows = await raw.all(`EXPLAIN (ANALYZE, BUFFERS) ${q.sql}`, q.params);
    return rows.map((r) => String(r['QUERY PLAN']));
  } finally {
    await raw.exec('ROLLBACK');
  }
}

async function time(raw: Raw, target: DbTarget, q: { sql: string; params: readonly unknown[]; dml: boolean }, warm: number, runs: number, budgetMs: number): Promise<Latency> {
  const once = async () => {
    const t = performance.now();
    if (q.dml && target.store === 'postgres') {
      await raw.exec('BEGIN');
      await raw.all(q.sql, q.params);
      await raw.exec('ROLLBACK');
    } else {
      await raw.all(q.sql, q.params);
    }
    return performance.now() - t;
  };
  for (let i = 0; i < warm; i++) await once();
  const samples: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (samples.length < runs && (samples.length < 2 || performance.now() < deadline)) samples.push(await once());
  return latencyOf(samples);
}

/** The indexes a plan reads (marked "whole" where it walks all of one), and whether it reads the whole table. */
function indexesIn(plan: string[], known: string[]): string {
  const out: string[] = [];
  for (const line of plan) {
    for (const n of known) {
      if (!new RegExp(`\\b${n}\\b`).test(line)) continue;
      const whole = /^\s*SCAN\b/.test(line);
      const label = whole ? `${n} (whole)` : n;
      if (!out.includes(label)) out.push(label);
    }
    if (/^\s*SCAN verification_sends\s*$|Seq Scan on verification_sends/.test(line) && !out.includes('full scan')) out.push('full scan');
  }
  return out.length > 0 ? out.join(', ') : '-';
}

async function report(spec: AnalyzeSpec, queries: Awaited<ReturnType<typeof captureQueries>>, warm: number, runs: number, budgetMs: number): Promise<QueryReport[]> {
  const raw = await connect(spec.target);
  try {
    const known = [...(await secondaryIndexes(raw, spec.target, TABLES)).map((i) => i.name), 'sqlite_autoindex_verification_sends_1', 'verification_sends_pkey'];
    const out: QueryReport[] = [];
    for (const q of queries) {
      const plan = await explain(raw, spec.target, q);
      const ms = await time(raw, spec.target, q, warm, runs, budgetMs);
      out.push({ name: q.name, sql: q.sql, plan, uses: indexesIn(plan, known), ms });
      progress(`    ${q.name}: ${ms.p50.toFixed(2)} ms in process (${ms.n} runs)`);
    }
    return out;
  } finally {
    await raw.close();
  }
}

async function sizes(target: DbTarget): Promise<AnalyzeResult['sizes']> {
  const raw = await connect(target);
  try {
    const indexes: Record<string, number> = {};
    let table = 0;
    if (target.store === 'sqlite') {
      const rows = await raw.all(
        `SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name = 'verification_sends' OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'verification_sends') GROUP BY name`,
      );
      for (const r of rows) {
        if (r.name === 'verification_sends') table = Number(r.bytes);
        else indexes[String(r.name)] = Number(r.bytes);
      }
    } else {
      const rows = await raw.all(
        `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'verification_sends'::regclass`,
      );
      for (const r of rows) indexes[String(r.name)] = Number(r.bytes);
      table = Number((await raw.all(`SELECT pg_relation_size('verification_sends') AS bytes`))[0]!.bytes);
    }
    return { table, indexes };
  } finally {
    await raw.close();
  }
}

interface Dest {
  sid: string;
  service_sid: string;
  to_addr: string;
  channel: string;
  country: string | null;
  locale: string;
}

/** Inserts through the app's store exactly as a start does (insertSend numbers the attempt in SQL). */
async function insertCost(target: DbTarget, dests: Dest[], accountSid: string, count: number, batch: number): Promise<InsertCost> {
  const stores = await openStores({
    databaseUrl: target.store === 'postgres' ? target.url : null,
    sqlitePath: target.store === 'sqlite' ? target.path : '',
    poolSize: 1,
  });
  let next = 0;
  const attempt = (): SendAttempt => {
    const d = dests[next++ % dests.length]!;
    const now = Date.now();
    return {
      sid: `VL${randomBytes(16).toString('hex')}`, verificationSid: d.sid, accountSid, serviceSid: d.service_sid,
      channel: d.channel as SendAttempt['channel'], to: d.to_addr, locale: d.locale, country: d.country, codeLength: 6,
      messageStatus: 'queued', errorCode: null, dateCreated: now, dateUpdated: now, converted: false, attemptStatus: 'unconfirmed',
      price: null, mcc: null, mnc: null, carrier: null, provider: null, tries: [],
    };
  };
  try {
    for (let i = 0; i < 500; i++) await stores.verifications.transaction((tx) => tx.insertSend(attempt()));
    let t = performance.now();
    for (let i = 0; i < count; i++) await stores.verifications.transaction((tx) => tx.insertSend(attempt()));
    const singleUs = ((performance.now() - t) * 1000) / count;
    t = performance.now();
    for (let i = 0; i < count; i += batch) {
      await stores.verifications.transaction(async (tx) => {
        for (let j = 0; j < batch; j++) await tx.insertSend(attempt());
      });
    }
    const batchUs = ((performance.now() - t) * 1000) / (Math.ceil(count / batch) * batch);
    return { singleUs, batchUs };
  } finally {
    await stores.close();
  }
}

async function checkpoint(target: DbTarget): Promise<void> {
  const raw = await connect(target);
  try {
    await raw.exec(target.store === 'sqlite' ? 'PRAGMA wal_checkpoint(TRUNCATE)' : 'CHECKPOINT');
  } finally {
    await raw.close();
  }
}

async function execAll(target: DbTarget, statements: string[]): Promise<number> {
  const t0 = performance.now();
  const raw = await connect(target);
  try {
    for (const s of statements) await raw.exec(s);
  } finally {
    await raw.close();
  }
  return secs(t0);
}

const mean = (xs: InsertCost[]): InsertCost => ({
  singleUs: xs.reduce((a, x) => a + x.singleUs, 0) / xs.length,
  batchUs: xs.reduce((a, x) => a + x.batchUs, 0) / xs.length,
});

async function analyze(spec: AnalyzeSpec): Promise<AnalyzeResult> {
  const queries = await captureQueries(spec);
  progress('  plans and in-process timings with all indexes');
  const withIndexes = await report(spec, queries, 3, 50, 5000);
  const sizesBefore = await sizes(spec.target);

  // With and without the 002 indexes in alternating rounds (dropped, then built again), each
  // after a checkpoint, so that a checkpoint or other load on the machine does not land on one side only.
  // The attempts indexes as the migrations left them (004 widened attempts_by_account).
  const raw = await connect(spec.target);
  const live = (await secondaryIndexes(raw, spec.target, ['verification_sends'])).filter((i) => i.name.startsWith('attempts_by_'));
  const creates = live.map((i) => i.def);
  const attemptIndexes = live.map((i) => i.name);
  const rounds = 2;
  const perRound = Math.ceil(spec.inserts / rounds);
  const perPhase = 500 + 2 * perRound;
  const dests = (await raw.all(
    `SELECT sid, service_sid, to_addr, channel, country, locale FROM verifications WHERE account_sid = ${spec.target.store === 'sqlite' ? '?' : '$1'} ORDER BY random() LIMIT ${2 * rounds * perPhase}`,
    [spec.accountSid],
  )) as unknown as Dest[];
  await raw.close();
  // Each phase its own verifications (on a small data set fewer, reused: insertSend numbers them on).
  const share = Math.max(1, Math.floor(dests.length / (2 * rounds)));
  let slice = 0;
  const nextDests = () => dests.slice(share * slice, share * ++slice);
  const perRoundCosts: Array<{ with: InsertCost; without: InsertCost }> = [];
  let rebuildSeconds = 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      progress(`  building the ${creates.length} attempts indexes again`);
      rebuildSeconds = await execAll(spec.target, creates);
    }
    await checkpoint(spec.target);
    const w = await insertCost(spec.target, nextDests(), spec.accountSid, perRound, spec.batch);
    progress(`  round ${r + 1}, with the attempts indexes: ${w.singleUs.toFixed(0)} us/insert (1/tx), ${w.batchUs.toFixed(0)} us/insert (${spec.batch}/tx)`);
    await execAll(spec.target, attemptIndexes.map((n) => `DROP INDEX ${n}`));
    await checkpoint(spec.target);
    const wo = await insertCost(spec.target, nextDests(), spec.accountSid, perRound, spec.batch);
    progress(`  round ${r + 1}, without them: ${wo.singleUs.toFixed(0)} us/insert (1/tx), ${wo.batchUs.toFixed(0)} us/insert (${spec.batch}/tx)`);
    perRoundCosts.push({ with: w, without: wo });
  }

  progress('  plans and in-process timings without the attempts indexes');
  const withoutIndexes = await report(spec, queries, 1, 5, 8000);
  return {
    withIndexes,
    withoutIndexes,
    attemptIndexes,
    sizes: sizesBefore,
    insert: {
      with: mean(perRoundCosts.map((c) => c.with)),
      without: mean(perRoundCosts.map((c) => c.without)),
      rounds: perRoundCosts,
      count: perRound * rounds,
      batch: spec.batch,
      rebuildSeconds,
    },
  };
}

const spec = await readSpec<SeedSpec | AnalyzeSpec>();
const result = spec.cmd === 'seed' ? await seed(spec) : await analyze(spec);
process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
