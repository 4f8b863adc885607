import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db } from './dialect.js';

/** Rows a sweep reads per statement: short enough that SQLite's one connection is not held long. */
export const SWEEP_CHUNK = 1000;

/** A counter table as a sweep sees it: its name and its primary key's columns, in key order. */
export interface SweptTable {
  table: string;
  key: readonly string[];
}

const columns = (t: SweptTable) => sql.join(t.key.map((c) => sql.ref(c)));
const after = (t: SweptTable, from: readonly unknown[] | null): RawBuilder<SqlBool> => (from ? sql<SqlBool>`(${columns(t)}) > (${sql.join(from)})` : sql<SqlBool>`1 = 1`);

/** The key of the last row of the chunk after `from` (none: the chunk runs to the table's end). */
export function chunkEnd(t: SweptTable, from: readonly unknown[] | null, chunk: number): RawBuilder<Record<string, unknown>> {
  return sql`SELECT ${columns(t)} FROM ${sql.table(t.table)} WHERE ${after(t, from)} ORDER BY ${columns(t)} LIMIT 1 OFFSET ${chunk - 1}`;
}

/** Deletes the lapsed rows after `from` up to `to` (inclusive; none: to the table's end). */
export function deleteChunk(t: SweptTable, from: readonly unknown[] | null, to: readonly unknown[] | null, lapsed: RawBuilder<SqlBool>): RawBuilder<unknown> {
  const upTo = to ? sql`AND (${columns(t)}) <= (${sql.join(to)})` : sql``;
  return sql`DELETE FROM ${sql.table(t.table)} WHERE ${after(t, from)} ${upTo} AND ${lapsed}`;
}

/**
 * Deletes the rows of a counter table that `lapsed` matches, reading the table in primary-key order
 * a chunk at a time: no index by time is needed (a start would write a page of it per counter row),
 * and no statement holds SQLite's lock for a whole table. Each chunk is two statements, the key of its
 * last row and then the delete up to it; the event loop gets a turn between chunks. Row-value bounds
 * on the key are a range of the primary key (test/store/key-sweep-plan.test.ts holds SQLite to it).
 * Returns how many rows were deleted.
 */
export async function sweepInKeyOrder(db: Db, t: SweptTable, lapsed: RawBuilder<SqlBool>, chunk = SWEEP_CHUNK): Promise<number> {
  let from: unknown[] | null = null;
  let deleted = 0;
  for (;;) {
    const last: Record<string, unknown> | undefined = (await chunkEnd(t, from, chunk).execute(db)).rows[0];
    const to: unknown[] | null = last ? t.key.map((c) => last[c]) : null;
    deleted += Number((await deleteChunk(t, from, to, lapsed).execute(db)).numAffectedRows ?? 0);
    if (!to) return deleted;
    from = to;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
