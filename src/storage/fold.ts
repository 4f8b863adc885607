import type { Dialect } from './migrations/index.js';

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * SQL that folds an e-mail address in `column` exactly as the domain's foldEmail does (A-Z only).
 * SQLite's lower() folds ASCII alone; PostgreSQL's follows the database's locale, so it spells
 * the 26 letters out. test/store/conformance-email-case.test.ts holds the two to the domain.
 */
export function foldSql(d: Dialect, column: string): string {
  return d === 'sqlite' ? `lower(${column})` : `translate(${column}, '${UPPER}', '${UPPER.toLowerCase()}')`;
}

/** Rows whose `column` is an e-mail address with an upper-case letter. */
export function unfoldedEmailSql(d: Dialect, column: string): string {
  return `${column} LIKE '%@%' AND ${column} <> ${foldSql(d, column)}`;
}
