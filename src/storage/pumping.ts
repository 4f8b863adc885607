import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { PumpingBlockRow, PumpingReading, PumpingStore } from '../domain/ports/protection.js';
import {
  BASELINE_WINDOW_MIN,
  BUCKET_MS,
  CONVERSION_LAG_MIN,
  CONVERSION_WINDOW_MIN,
  RANGE_WINDOW_MIN,
  RECENT_WINDOW_MIN,
  bucketOf,
  type PumpingKeys,
  type PumpingLevel,
  type PumpingReason,
} from '../domain/protection/pumping.js';
import { num, runStatement, type Db, type SqlDialect } from './dialect.js';
import { sweepInKeyOrder, type SweptTable } from './key-sweep.js';
import type { Database } from './schema.js';

// Prefixes and ranges share one column; the kind keeps a short number's range from meeting a prefix.
const prefixKey = (prefix: string) => `p:${prefix}`;
const rangeKey = (range: string) => `r:${range}`;
const minutes = (n: number) => n * BUCKET_MS;

/** The counters, as the purge sweeps them. */
export const COUNTERS: SweptTable = { table: 'pumping_counters', key: ['service_sid', 'counter_key', 'bucket'] };

/** The guard's sums for a destination as columns of one row (readPumping, and readAdmission beside the geo rules). */
export interface PumpingRow {
  level: string | null;
  range_starts: number | string | null;
  recent: number | string | null;
  baseline: number | string | null;
  first_bucket: number | string | null;
  lagged: number | string | null;
  approvals: number | string | null;
}

/** The windows of the guard's sums at `now` (pumping.ts says what each is). */
function windows(now: number) {
  const cur = bucketOf(now);
  const recentFrom = cur - minutes(RECENT_WINDOW_MIN - 1);
  const laggedTo = cur - minutes(CONVERSION_LAG_MIN);
  return {
    recentFrom,
    baselineFrom: recentFrom - minutes(BASELINE_WINDOW_MIN),
    laggedTo,
    laggedFrom: laggedTo - minutes(CONVERSION_WINDOW_MIN - 1),
    approvalsFrom: cur - minutes(CONVERSION_WINDOW_MIN - 1),
    rangeFrom: cur - minutes(RANGE_WINDOW_MIN - 1),
  };
}

/**
 * The columns of PumpingRow, over pumpingFrom's rows: the prefix's sums over at most 70 rows and the
 * range's over at most 5, each its own range scan of the primary key, with the service's level as
 * a scalar subquery. (One scan with `(prefix AND ...) OR (range AND ...)` reads every counter row of
 * the service on SQLite, whose planner narrows it by service_sid only: a cost that grew with the
 * service's traffic.)
 */
export function pumpingColumns(serviceSid: string, keys: PumpingKeys, now: number): RawBuilder<unknown> {
  const w = windows(now);
  return sql`(SELECT level FROM pumping_guard_settings WHERE service_sid = ${serviceSid}) AS level,
    (SELECT SUM(starts) FROM pumping_counters WHERE service_sid = ${serviceSid} AND counter_key = ${rangeKey(keys.range)} AND bucket >= ${w.rangeFrom}) AS range_starts,
    SUM(CASE WHEN bucket >= ${w.recentFrom} THEN starts ELSE 0 END) AS recent,
    SUM(CASE WHEN bucket < ${w.recentFrom} THEN starts ELSE 0 END) AS baseline,
    MIN(bucket) AS first_bucket,
    SUM(CASE WHEN bucket >= ${w.laggedFrom} AND bucket <= ${w.laggedTo} THEN starts ELSE 0 END) AS lagged,
    SUM(CASE WHEN bucket >= ${w.approvalsFrom} THEN approvals ELSE 0 END) AS approvals`;
}

/**
 * PostgreSQL: counts a start on its prefix and range, as accepted, in a WITH of the statement that
 * reads the counts (which does not see it: one snapshot), unless the service's level is `off` or
 * the number is on the account's Safe List; the caller takes it back off if the start is refused.
 */
export function countingStart(q: { accountSid: string; serviceSid: string; to: string; keys: PumpingKeys; defaultLevel: PumpingLevel; now: number }): RawBuilder<unknown> {
  // Rows in key order ('p:' before 'r:'), so concurrent starts lock them in the same order.
  return sql`WITH counted AS (
      INSERT INTO pumping_counters (service_sid, counter_key, bucket, starts, approvals)
      SELECT ${q.serviceSid}, k, ${bucketOf(q.now)}::bigint, 1, 0 FROM (VALUES (${prefixKey(q.keys.prefix)}::text), (${rangeKey(q.keys.range)}::text)) AS v(k)
      WHERE COALESCE((SELECT level FROM pumping_guard_settings WHERE service_sid = ${q.serviceSid}), ${q.defaultLevel}::text) <> 'off'
        AND NOT EXISTS (SELECT 1 FROM safe_list WHERE account_sid = ${q.accountSid} AND phone_number = ${q.to})
      ORDER BY k
      ON CONFLICT (service_sid, counter_key, bucket) DO UPDATE SET starts = pumping_counters.starts + 1
      RETURNING 1
    )`;
}

/** The prefix's counter rows pumpingColumns aggregates (always one row out: an aggregate without GROUP BY). */
export function pumpingFrom(serviceSid: string, keys: PumpingKeys, now: number): RawBuilder<unknown> {
  return sql`FROM pumping_counters WHERE service_sid = ${serviceSid} AND counter_key = ${prefixKey(keys.prefix)} AND bucket >= ${windows(now).baselineFrom}`;
}

export function pumpingFromRow(row: PumpingRow, now: number): PumpingReading {
  const { recentFrom } = windows(now);
  const n = (v: number | string | null) => (v === null ? 0 : num(v));
  const first = row.first_bucket === null ? null : num(row.first_bucket);
  return {
    level: row.level === null ? undefined : (row.level as PumpingLevel),
    counts: {
      rangeStarts: n(row.range_starts),
      recentStarts: n(row.recent),
      baselineStarts: n(row.baseline),
      baselineMinutes: first === null || first >= recentFrom ? 0 : (recentFrom - first) / BUCKET_MS,
      laggedStarts: n(row.lagged),
      approvals: n(row.approvals),
    },
  };
}

/** Counts a start on its range, and on its prefix when it was accepted: on its own, or in the start's transaction. */
export async function countPumpingStart(db: Db, dialect: SqlDialect, serviceSid: string, keys: PumpingKeys, accepted: boolean, now: number): Promise<void> {
  // Rows in key order ('p:' before 'r:'), so concurrent starts lock them in the same order.
  const rows = [...(accepted ? [prefixKey(keys.prefix)] : []), rangeKey(keys.range)];
  await upsertCounters(db, dialect, serviceSid, rows, bucketOf(now), 1, 0);
}

const UPSERT_ONE = upsertText(1);
const UPSERT_TWO = upsertText(2);

/** The counters' upsert for `n` rows of (service, key, bucket, starts, approvals): a fixed text, run by runStatement (every guarded start runs it). */
function upsertText(n: number): string {
  return `INSERT INTO pumping_counters (service_sid, counter_key, bucket, starts, approvals)
    VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?)').join(', ')}
    ON CONFLICT (service_sid, counter_key, bucket) DO UPDATE SET
      starts = pumping_counters.starts + excluded.starts, approvals = pumping_counters.approvals + excluded.approvals`;
}

async function upsertCounters(db: Db, dialect: SqlDialect, serviceSid: string, counterKeys: string[], bucket: number, starts: number, approvals: number): Promise<void> {
  const params = counterKeys.flatMap((k) => [serviceSid, k, bucket, starts, approvals]);
  await runStatement(db, dialect, counterKeys.length === 1 ? UPSERT_ONE : UPSERT_TWO, params);
}

export class SqlPumpingStore implements PumpingStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async setPumpingLevel(accountSid: string, serviceSid: string, level: PumpingLevel, at: number): Promise<void> {
    await this.db
      .insertInto('pumping_guard_settings')
      .values({ service_sid: serviceSid, account_sid: accountSid, level, date_updated: at })
      .onConflict((oc) => oc.column('service_sid').doUpdateSet({ level, date_updated: at }))
      .execute();
  }

  async clearPumpingLevel(serviceSid: string): Promise<boolean> {
    const res = await this.db.deleteFrom('pumping_guard_settings').where('service_sid', '=', serviceSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async listPumpingLevels(accountSid: string): Promise<Array<{ serviceSid: string; level: PumpingLevel }>> {
    const rows = await this.db.selectFrom('pumping_guard_settings').select(['service_sid', 'level']).where('account_sid', '=', accountSid).orderBy('service_sid').execute();
    return rows.map((r) => ({ serviceSid: r.service_sid, level: r.level as PumpingLevel }));
  }

  async readPumping(serviceSid: string, keys: PumpingKeys, now: number): Promise<PumpingReading> {
    const { rows } = await sql<PumpingRow>`SELECT ${pumpingColumns(serviceSid, keys, now)} ${pumpingFrom(serviceSid, keys, now)}`.execute(this.db);
    return pumpingFromRow(rows[0]!, now);
  }

  countStart(serviceSid: string, keys: PumpingKeys, accepted: boolean, now: number): Promise<void> {
    return countPumpingStart(this.db, this.dialect, serviceSid, keys, accepted, now);
  }

  async uncountStart(serviceSid: string, keys: PumpingKeys, range: boolean, now: number): Promise<void> {
    const counterKeys = [prefixKey(keys.prefix), ...(range ? [rangeKey(keys.range)] : [])];
    await this.db
      .updateTable('pumping_counters')
      .set({ starts: sql<number>`starts - 1` })
      .where('service_sid', '=', serviceSid)
      .where('counter_key', 'in', counterKeys)
      .where('bucket', '=', bucketOf(now))
      .execute();
  }

  async countApproval(serviceSid: string, prefix: string, now: number): Promise<void> {
    await upsertCounters(this.db, this.dialect, serviceSid, [prefixKey(prefix)], bucketOf(now), 0, 1);
  }

  async recordBlock(accountSid: string, serviceSid: string, prefix: string, reason: PumpingReason, now: number): Promise<void> {
    await this.db
      .insertInto('pumping_blocks')
      .values({ service_sid: serviceSid, account_sid: accountSid, prefix, reason, blocked: 1, first_blocked: now, last_blocked: now })
      .onConflict((oc) => oc.columns(['service_sid', 'prefix', 'reason']).doUpdateSet({ blocked: sql<number>`pumping_blocks.blocked + 1`, last_blocked: now }))
      .execute();
  }

  async blockReport(accountSid: string): Promise<PumpingBlockRow[]> {
    const rows = await this.db.selectFrom('pumping_blocks').selectAll().where('account_sid', '=', accountSid).orderBy('service_sid').orderBy('blocked', 'desc').orderBy('prefix').orderBy('reason').execute();
    return rows.map((r) => ({
      serviceSid: r.service_sid,
      prefix: r.prefix,
      reason: r.reason as PumpingReason,
      blocked: num(r.blocked),
      firstBlocked: num(r.first_blocked),
      lastBlocked: num(r.last_blocked),
    }));
  }

  purgePumpingCounters(before: number, chunk?: number): Promise<number> {
    return sweepInKeyOrder(this.db, COUNTERS, sql<SqlBool>`bucket < ${before}`, chunk);
  }
}
