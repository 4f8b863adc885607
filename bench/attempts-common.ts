/** Types shared by the attempts scenario's orchestrator (attempts.ts) and its child processes. */
import type { AttemptFilter, Cursor, SummaryFilter } from '../src/domain/ports.js';
import type { Samples } from './attempts-data.js';
import type { CpuShare } from './cpu.js';

/** Where the database is: a SQLite file or a PostgreSQL URL. */
export type DbTarget = { store: 'sqlite'; path: string } | { store: 'postgres'; url: string };

/** One query shape measured over HTTP and explained against the database. */
export interface Shape {
  name: string;
  kind: 'list' | 'summary';
  /** Query strings (list: without PageSize/PageToken), rotated over the requests. */
  queries: string[];
  /** The same filter as the first query string, for EXPLAIN and the in-process timings. */
  filter: AttemptFilter & SummaryFilter;
  /** List only: first follow next_page_url this many pages; then time that page (next) or its previous_page_url (previous, a PB token). */
  deep?: { pages: number; use: 'next' | 'previous' };
  /** A page given directly (a PageToken in the query string): its cursor, for EXPLAIN. */
  page?: { cursor?: Cursor; back?: boolean; offset: number };
}

export interface ClientSpec {
  baseUrl: string;
  authorization: string;
  pageSize: number;
  shapes: Shape[];
  warmup: number;
  requests: number;
  /** Per shape: stop measuring after this many seconds (at least 10 requests are made). */
  budgetSeconds: number;
  /** verifyd's pid, for its CPU use. */
  serverPid: number;
}

export interface Latency {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ShapeResult {
  name: string;
  latency: Latency;
  /** Items on the (last) page, or the summary's total_attempts. */
  rows: number;
  errors: number;
  statuses: Record<string, number>;
  /** Deep shapes: what the timed page is, for EXPLAIN. */
  page?: { cursor?: Cursor; back?: boolean; offset: number; path: string };
  /** Cores used during the timed requests: verifyd, this client, everything else (PostgreSQL's backends, other load). */
  cpu: CpuShare;
}

export interface SeedSpec {
  cmd: 'seed';
  target: DbTarget;
  rows: number;
  accountSid: string;
  serviceSids: string[];
}

export interface SeedResult {
  seconds: { total: number; insert: number; indexes: number; vacuum: number };
  counts: { sends: number; verifications: number; otherAccountSends: number };
  now: number;
  samples: Samples;
  otherAccountSid: string;
}

export interface AnalyzeSpec {
  cmd: 'analyze';
  target: DbTarget;
  accountSid: string;
  pageSize: number;
  shapes: Shape[];
  /** Oldest seeded row: the retention purge is explained with nothing due (before = oldest - 1). */
  oldest: number;
  inserts: number;
  batch: number;
}

export interface QueryReport {
  name: string;
  sql: string;
  plan: string[];
  /** Indexes named in the plan (or 'full scan'). */
  uses: string;
  /** In-process execution of the statement (driver only, no HTTP, no Kysely), ms. */
  ms: Latency;
}

export interface InsertCost {
  /** Microseconds per insert, one insert per transaction (as a start does it). */
  singleUs: number;
  /** Microseconds per insert, `batch` inserts per transaction. */
  batchUs: number;
}

export interface AnalyzeResult {
  withIndexes: QueryReport[];
  withoutIndexes: QueryReport[];
  attemptIndexes: string[];
  sizes: { table: number; indexes: Record<string, number> };
  /** Means over the rounds; count is per variant (with / without) and per mode (1/tx, batch/tx). */
  insert: {
    with: InsertCost;
    without: InsertCost;
    rounds: Array<{ with: InsertCost; without: InsertCost }>;
    count: number;
    batch: number;
    /** Time to build the attempts indexes again on the full table. */
    rebuildSeconds: number;
  };
}

export function latencyOf(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
  return { n: s.length, p50: at(0.5), p99: at(0.99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length) };
}

/** Reads all of stdin as JSON. */
export async function readSpec<T>(): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

export const progress = (msg: string) => process.stderr.write(`${msg}\n`);
