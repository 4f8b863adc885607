/** A throwaway PostgreSQL database for one bench run: verifyd_bench_<hex>, dropped at the end. */
import { createThrowawayDatabase, type ThrowawayDatabase } from '../scripts/throwaway-postgres.js';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function createBenchDatabase(): Promise<ThrowawayDatabase | { skip: string }> {
  return createThrowawayDatabase(ADMIN_URL, 'verifyd_bench');
}
