/** Types and helpers shared by the orchestrator (run.ts) and the load generator process (load.ts). */
import type { CpuShare } from './cpu.js';

export type BodySpec =
  /**
   * A new verification per request: To = phoneNumber(npa, offset + i); with `rateLimit`, the start
   * also meters a distinct end-user IP per request under that rate limit name; with `spread`, To =
   * spreadNumber(offset + i) instead (npa unused).
   */
  | { kind: 'start'; npa: string; offset: number; rateLimit?: string; spread?: boolean }
  /** One pre-created pending verification per request, right code: pool file is JSON [[to, code], ...]. */
  | { kind: 'check'; poolFile: string };

export interface LoadSpec {
  baseUrl: string;
  path: string;
  authorization: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  body: BodySpec;
  /** The server's pid, for its CPU use during the measured run. */
  serverPid?: number;
}

export interface RunFigures {
  /** Mean requests per second (autocannon's per-second samples). */
  rps: number;
  total: number;
  durationSeconds: number;
  /** Latency in ms (autocannon's histogram has 1 ms resolution). */
  p50: number;
  p99: number;
  mean: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Average cores used during the run (measured run only). */
  cpu?: CpuShare;
  /** Wall-clock bounds of the run (epoch ms), for matching it with what a webhook receiver saw. */
  startedAt?: number;
  endedAt?: number;
}

export interface LoadResult {
  warmup: RunFigures;
  measured: RunFigures;
  /** For check: how many pool entries existed and how many requests wanted one. */
  pool?: { size: number; wanted: number };
}

/**
 * A valid US number (libphonenumber-js/max accepts every NXX 200-999 with any line number for the
 * area codes used here), distinct for each i in [0, 8_000_000).
 */
export function phoneNumber(npa: string, i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 8_000_000) throw new RangeError(`phone index out of range: ${i}`);
  const exchange = 200 + Math.floor(i / 10_000);
  const line = String(i % 10_000).padStart(4, '0');
  return `+1${npa}${exchange}${line}`;
}

/** Area codes libphonenumber-js/max takes with every exchange 200-999 and any line number. */
const SPREAD_NPAS = ['201', '202', '203', '205', '206', '207', '208', '209', '210', '212', '213', '214', '215', '216', '217', '218'];

/**
 * A valid US number distinct for each i in [0, 128,000,000), spread as real traffic is: i runs
 * through 16 area codes, then 800 exchanges, then line numbers, so that consecutive i land in
 * different number ranges (the pumping guard's ranges: the number less its last 4 digits) and
 * 12,800 starts pass before a range sees its second. phoneNumber's sequential numbers are what
 * the guard blocks as a burst to consecutive numbers.
 */
export function spreadNumber(i: number): string {
  if (!Number.isInteger(i) || i < 0 || i >= 128_000_000) throw new RangeError(`phone index out of range: ${i}`);
  const npa = SPREAD_NPAS[i % 16]!;
  const exchange = 200 + (Math.floor(i / 16) % 800);
  const line = String(Math.floor(i / 12_800)).padStart(4, '0');
  return `+1${npa}${exchange}${line}`;
}

export function startBody(to: string, rateLimits?: Record<string, string>): string {
  const base = `To=${encodeURIComponent(to)}&Channel=sms`;
  return rateLimits === undefined ? base : `${base}&RateLimits=${encodeURIComponent(JSON.stringify(rateLimits))}`;
}

/** A distinct IPv4 address for each i below 2^24 (10.x.y.z). */
export const ipFor = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export function checkBody(to: string, code: string): string {
  return `To=${encodeURIComponent(to)}&Code=${encodeURIComponent(code)}`;
}
