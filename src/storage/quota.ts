import { sql, type Transaction } from 'kysely';
import { QuotaReached } from '../domain/ports/violations.js';
import type { SqlDialect } from './dialect.js';
import type { Database } from './schema.js';

/** The tables an account's quotas count, each with its account_sid. */
type Counted = 'services' | 'event_sinks' | 'event_subscriptions';

/**
 * Throws QuotaReached when the account already has `max` rows in `table`; call it in the
 * transaction that inserts the next one. On PostgreSQL a transaction-scoped advisory lock per
 * account and table makes concurrent creates take turns, so each counts the rows the ones before it
 * committed (READ COMMITTED reads afresh per statement) and the cap cannot be overshot; the account
 * row itself is left alone. On SQLite write transactions already take turns.
 */
export async function checkQuota(trx: Transaction<Database>, dialect: SqlDialect, table: Counted, accountSid: string, max: number): Promise<void> {
  if (max === Infinity) return;
  if (dialect.rowLocks) await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`verifyd quota ${table} ${accountSid}`}, 0))`.execute(trx);
  const row = await trx
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('account_sid', '=', accountSid)
    .executeTakeFirstOrThrow();
  if (Number(row.count) >= max) throw new QuotaReached(max);
}
