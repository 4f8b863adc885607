import { sql, type Kysely } from 'kysely';
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
import { num } from './dialect.js';
import type { Database } from './schema.js';

// Prefixes and ranges share one column; the kind keeps a short number's range from meeting a prefix.
const prefixKey = (prefix: string) => `p:${prefix}`;
const rangeKey = (range: string) => `r:${range}`;
const minutes = (n: number) => n * BUCKET_MS;

export class SqlPumpingStore implements PumpingStore {
  constructor(private readonly db: Kysely<Database>) {}

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

  /**
   * One statement: an aggregate over at most 70 prefix rows and 5 range rows (the primary key's
   * range scans), with the service's level as a scalar subquery.
   */
  async readPumping(serviceSid: string, keys: PumpingKeys, now: number): Promise<PumpingReading> {
    const cur = bucketOf(now);
    const p = prefixKey(keys.prefix);
    const r = rangeKey(keys.range);
    const recentFrom = cur - minutes(RECENT_WINDOW_MIN - 1);
    const baselineFrom = recentFrom - minutes(BASELINE_WINDOW_MIN);
    const laggedTo = cur - minutes(CONVERSION_LAG_MIN);
    const laggedFrom = laggedTo - minutes(CONVERSION_WINDOW_MIN - 1);
    const approvalsFrom = cur - minutes(CONVERSION_WINDOW_MIN - 1);
    const rangeFrom = cur - minutes(RANGE_WINDOW_MIN - 1);
    const { rows } = await sql<{
      level: string | null;
      range_starts: number | string | null;
      recent: number | string | null;
      baseline: number | string | null;
      first_bucket: number | string | null;
      lagged: number | string | null;
      approvals: number | string | null;
    }>`SELECT
        (SELECT level FROM pumping_guard_settings WHERE service_sid = ${serviceSid}) AS level,
        SUM(CASE WHEN counter_key = ${r} THEN starts ELSE 0 END) AS range_starts,
        SUM(CASE WHEN counter_key = ${p} AND bucket >= ${recentFrom} THEN starts ELSE 0 END) AS recent,
        SUM(CASE WHEN counter_key = ${p} AND bucket < ${recentFrom} THEN starts ELSE 0 END) AS baseline,
        MIN(CASE WHEN counter_key = ${p} THEN bucket END) AS first_bucket,
        SUM(CASE WHEN counter_key = ${p} AND bucket >= ${laggedFrom} AND bucket <= ${laggedTo} THEN starts ELSE 0 END) AS lagged,
        SUM(CASE WHEN counter_key = ${p} AND bucket >= ${approvalsFrom} THEN approvals ELSE 0 END) AS approvals
      FROM pumping_counters
      WHERE service_sid = ${serviceSid}
        AND ((counter_key = ${p} AND bucket >= ${baselineFrom}) OR (counter_key = ${r} AND bucket >= ${rangeFrom}))`.execute(this.db);
    const row = rows[0]!;
    const n = (v: number | string | null) => (v === null ? 0 : num(v));
    const first = row.first_bucket === null ? null : num(row.first_bucket);
    const level = row.level === null ? undefined : (row.level as PumpingLevel);
    return {
      level,
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

  async countStart(serviceSid: string, keys: PumpingKeys, accepted: boolean, now: number): Promise<void> {
    // Rows in key order ('p:' before 'r:'), so concurrent starts lock them in the same order.
    const rows = [...(accepted ? [prefixKey(keys.prefix)] : []), rangeKey(keys.range)];
    await this.upsert(serviceSid, rows, bucketOf(now), 1, 0);
  }

  async countApproval(serviceSid: string, prefix: string, now: number): Promise<void> {
    await this.upsert(serviceSid, [prefixKey(prefix)], bucketOf(now), 0, 1);
  }

  private async upsert(serviceSid: string, counterKeys: string[], bucket: number, starts: number, approvals: number): Promise<void> {
    await this.db
      .insertInto('pumping_counters')
      .values(counterKeys.map((k) => ({ service_sid: serviceSid, counter_key: k, bucket, starts, approvals })))
      .onConflict((oc) =>
        oc.columns(['service_sid', 'counter_key', 'bucket']).doUpdateSet({
          starts: sql<number>`pumping_counters.starts + excluded.starts`,
          approvals: sql<number>`pumping_counters.approvals + excluded.approvals`,
        }),
      )
      .execute();
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

  async purgePumpingCounters(before: number): Promise<number> {
    const res = await this.db.deleteFrom('pumping_counters').where('bucket', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
