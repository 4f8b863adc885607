import { CompiledQuery, sql, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type { Database } from './schema.js';

/** A connection or an open transaction: most queries run on either. */
export type Db = Kysely<Database> | Transaction<Database>;

/**
 * What differs between the two databases, named by what the queries need rather than by product,
 * so a query says `if (dialect.rowLocks)` and not `if (postgres)`.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /**
   * Transactions run concurrently and take row locks (FOR UPDATE, SKIP LOCKED, FOR KEY SHARE).
   * SQLite has one connection and serialises transactions (BEGIN IMMEDIATE), so it needs none.
   */
  readonly rowLocks: boolean;
  /** A commit can wake other processes (NOTIFY); SQLite's only writer is this process. */
  readonly notify: boolean;
  /** Two reads see one snapshot only under REPEATABLE READ; an SQLite transaction always is one. */
  readonly repeatableRead: boolean;
  /** One statement can write in a WITH and read in its body (PostgreSQL's data-modifying CTEs): one round trip for both. */
  readonly writableCte: boolean;
  /** Placeholders are numbered ($1, $2, ...) rather than `?`. */
  readonly numberedParams: boolean;
}

export const SQLITE: SqlDialect = { name: 'sqlite', rowLocks: false, notify: false, repeatableRead: false, writableCte: false, numberedParams: false };
export const POSTGRES: SqlDialect = { name: 'postgres', rowLocks: true, notify: true, repeatableRead: true, writableCte: true, numberedParams: true };

const numberedTexts = new Map<string, string>();

/**
 * Runs a fixed statement as written, skipping Kysely's builder and compiler: they cost tens of
 * microseconds a query, a measurable share of a start (issue 13's CPU aim), so the statements a
 * protection adds to every start use this. The text has `?` placeholders (and no other `?`); they
 * are numbered once per text where the dialect needs it.
 */
export function runStatement<R>(db: Db, dialect: SqlDialect, text: string, params: unknown[]): Promise<QueryResult<R>> {
  let out = text;
  if (dialect.numberedParams) {
    out = numberedTexts.get(text) ?? '';
    if (!out) {
      let n = 0;
      out = text.replace(/\?/g, () => `$${++n}`);
      numberedTexts.set(text, out);
    }
  }
  return db.executeQuery<R>(CompiledQuery.raw(out, params));
}

// PostgreSQL returns BIGINT as a string unless told otherwise; Number() makes both dialects agree.
export const num = (v: number | string | bigint): number => Number(v);
export const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

/**
 * 'pending' as a literal in the SQL text, not a bound parameter: SQLite can then match the partial
 * indexes (WHERE status = 'pending') when it prepares the statement, instead of re-planning on
 * every execution to see whether the bound value fits the index.
 */
export const PENDING = sql.lit('pending');
