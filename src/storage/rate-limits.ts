import { sql, type Kysely, type Selectable } from 'kysely';
import type { PageQuery } from '../domain/ports/paging.js';
import type {
  BucketCount,
  InsertOutcome,
  MeteredValue,
  RateLimit,
  RateLimitBucket,
  RateLimitScope,
  RateLimitStore,
} from '../domain/ports/rate-limits.js';
import { num, type Db, type SqlDialect } from './dialect.js';
import { listPage } from './keyset.js';
import type { Database, RateLimitBucketsTable, RateLimitsTable } from './schema.js';
import { translateViolations } from './violations.js';

const rateLimitFromRow = (r: Selectable<RateLimitsTable>): RateLimit => ({
  sid: r.sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  uniqueName: r.unique_name,
  description: r.description,
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
});

const bucketFromRow = (r: Selectable<RateLimitBucketsTable>): RateLimitBucket => ({
  sid: r.sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  rateLimitSid: r.rate_limit_sid,
  max: r.max_hits,
  interval: r.interval_seconds,
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
});

const inScope = (db: Db, scope: RateLimitScope) =>
  db.selectFrom('rate_limits').where('account_sid', '=', scope.accountSid).where('service_sid', '=', scope.serviceSid);

export class SqlRateLimitStore implements RateLimitStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  insertRateLimit(r: RateLimit, maxPerService: number): Promise<InsertOutcome> {
    return translateViolations(() =>
      this.db.transaction().execute(async (trx) => {
        // NO KEY UPDATE serialises creates on one service without blocking the starts that hold
        // KEY SHARE on it (their foreign keys).
        let parent = trx.selectFrom('services').select('sid').where('sid', '=', r.serviceSid).where('account_sid', '=', r.accountSid);
        if (this.dialect.rowLocks) parent = parent.forNoKeyUpdate();
        if (!(await parent.executeTakeFirst())) return 'missing';
        const { n } = await trx.selectFrom('rate_limits').select((eb) => eb.fn.countAll<number>().as('n')).where('service_sid', '=', r.serviceSid).executeTakeFirstOrThrow();
        if (Number(n) >= maxPerService) return 'full';
        await trx
          .insertInto('rate_limits')
          .values({
            sid: r.sid,
            account_sid: r.accountSid,
            service_sid: r.serviceSid,
            unique_name: r.uniqueName,
            description: r.description,
            date_created: r.dateCreated,
            date_updated: r.dateUpdated,
          })
          .execute();
        return 'inserted';
      }),
    );
  }

  async getRateLimit(scope: RateLimitScope, sid: string): Promise<RateLimit | undefined> {
    const r = await inScope(this.db, scope).selectAll().where('sid', '=', sid).executeTakeFirst();
    return r && rateLimitFromRow(r);
  }

  async listRateLimits(scope: RateLimitScope, page: PageQuery): Promise<RateLimit[]> {
    return (await listPage(inScope(this.db, scope).selectAll(), page, 'asc')).map(rateLimitFromRow);
  }

  async updateRateLimit(scope: RateLimitScope, sid: string, description: string | undefined, now: number): Promise<RateLimit | undefined> {
    const set = description === undefined ? { date_updated: now } : { description, date_updated: now };
    await this.db.updateTable('rate_limits').set(set).where('sid', '=', sid).where('account_sid', '=', scope.accountSid).where('service_sid', '=', scope.serviceSid).execute();
    return this.getRateLimit(scope, sid);
  }

  async deleteRateLimit(scope: RateLimitScope, sid: string): Promise<boolean> {
    // Its buckets and their counters go with it through ON DELETE CASCADE.
    const res = await this.db.deleteFrom('rate_limits').where('sid', '=', sid).where('account_sid', '=', scope.accountSid).where('service_sid', '=', scope.serviceSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  insertBucket(scope: RateLimitScope, b: RateLimitBucket, maxPerRateLimit: number): Promise<InsertOutcome> {
    return translateViolations(() =>
      this.db.transaction().execute(async (trx) => {
        let parent = inScope(trx, scope).select('sid').where('sid', '=', b.rateLimitSid);
        if (this.dialect.rowLocks) parent = parent.forNoKeyUpdate();
        if (!(await parent.executeTakeFirst())) return 'missing';
        const { n } = await trx.selectFrom('rate_limit_buckets').select((eb) => eb.fn.countAll<number>().as('n')).where('rate_limit_sid', '=', b.rateLimitSid).executeTakeFirstOrThrow();
        if (Number(n) >= maxPerRateLimit) return 'full';
        await trx
          .insertInto('rate_limit_buckets')
          .values({
            sid: b.sid,
            account_sid: b.accountSid,
            service_sid: b.serviceSid,
            rate_limit_sid: b.rateLimitSid,
            max_hits: b.max,
            interval_seconds: b.interval,
            date_created: b.dateCreated,
            date_updated: b.dateUpdated,
          })
          .execute();
        return 'inserted';
      }),
    );
  }

  private bucketsOf(scope: RateLimitScope, rateLimitSid: string) {
    return this.db
      .selectFrom('rate_limit_buckets')
      .selectAll()
      .where('rate_limit_sid', '=', rateLimitSid)
      .where('account_sid', '=', scope.accountSid)
      .where('service_sid', '=', scope.serviceSid);
  }

  async getBucket(scope: RateLimitScope, rateLimitSid: string, sid: string): Promise<RateLimitBucket | undefined> {
    const r = await this.bucketsOf(scope, rateLimitSid).where('sid', '=', sid).executeTakeFirst();
    return r && bucketFromRow(r);
  }

  async listBuckets(scope: RateLimitScope, rateLimitSid: string, page: PageQuery): Promise<RateLimitBucket[]> {
    return (await listPage(this.bucketsOf(scope, rateLimitSid), page, 'asc')).map(bucketFromRow);
  }

  async updateBucket(scope: RateLimitScope, rateLimitSid: string, sid: string, change: { max?: number; interval?: number }, now: number): Promise<RateLimitBucket | undefined> {
    await translateViolations(() =>
      this.db
        .updateTable('rate_limit_buckets')
        .set({ max_hits: change.max, interval_seconds: change.interval, date_updated: now })
        .where('sid', '=', sid)
        .where('rate_limit_sid', '=', rateLimitSid)
        .where('account_sid', '=', scope.accountSid)
        .where('service_sid', '=', scope.serviceSid)
        .execute(),
    );
    return this.getBucket(scope, rateLimitSid, sid);
  }

  async deleteBucket(scope: RateLimitScope, rateLimitSid: string, sid: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('rate_limit_buckets')
      .where('sid', '=', sid)
      .where('rate_limit_sid', '=', rateLimitSid)
      .where('account_sid', '=', scope.accountSid)
      .where('service_sid', '=', scope.serviceSid)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async purgeRateLimitHits(now: number): Promise<number> {
    const res = await this.db.deleteFrom('rate_limit_hits').where('window_end', '<=', now).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

/**
 * A start's hits (RateLimitTx.countRateLimitHits): one lookup of the named rate limits and their
 * buckets, then one upsert of every counter (on PostgreSQL the two are one statement). The upsert takes each counter's row lock until the
 * transaction ends (on PostgreSQL a second start waits and then sees the first one's count; on
 * SQLite transactions are serial), so a count is exact across nodes. Rows are written in
 * (bucket, value) order so two starts never wait for each other in opposite orders.
 */
export async function countRateLimitHits(db: Db, dialect: SqlDialect, serviceSid: string, values: MeteredValue[], now: number): Promise<{ unknown: string[]; counts: BucketCount[] }> {
  const names = [...new Set(values.map((v) => v.name))];
  if (names.length === 0) return { unknown: [], counts: [] };
  if (dialect.writableCte) return countInOneTrip(db, serviceSid, values, names, now);
  const found = await db
    .selectFrom('rate_limits as r')
    .leftJoin('rate_limit_buckets as b', 'b.rate_limit_sid', 'r.sid')
    .select(['r.unique_name', 'b.sid', 'b.max_hits', 'b.interval_seconds'])
    .where('r.service_sid', '=', serviceSid)
    .where('r.unique_name', 'in', names)
    .execute();
  const known = new Set(found.map((f) => f.unique_name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) return { unknown, counts: [] };

  const buckets = new Map<string, { name: string; max: number }>();
  const rows: Array<{ bucket_sid: string; value_hash: string; window_end: number; hits: number }> = [];
  for (const v of values) {
    for (const f of found) {
      if (f.unique_name !== v.name || f.sid === null) continue;
      buckets.set(f.sid, { name: f.unique_name, max: Number(f.max_hits) });
      rows.push({ bucket_sid: f.sid, value_hash: v.valueHash, window_end: now + Number(f.interval_seconds) * 1000, hits: 1 });
    }
  }
  if (rows.length === 0) return { unknown: [], counts: [] };
  rows.sort((a, b) => (a.bucket_sid === b.bucket_sid ? cmp(a.value_hash, b.value_hash) : cmp(a.bucket_sid, b.bucket_sid)));

  const lapsed = sql<boolean>`rate_limit_hits.window_end <= ${now}`;
  const counted = await db
    .insertInto('rate_limit_hits')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['bucket_sid', 'value_hash']).doUpdateSet({
        hits: sql<number>`CASE WHEN ${lapsed} THEN 1 ELSE rate_limit_hits.hits + 1 END`,
        window_end: sql<number>`CASE WHEN ${lapsed} THEN excluded.window_end ELSE rate_limit_hits.window_end END`,
      }),
    )
    .returning(['bucket_sid', 'hits', 'window_end'])
    .execute();
  return {
    unknown: [],
    counts: counted.map((c) => {
      const b = buckets.get(c.bucket_sid)!;
      return { rateLimitName: b.name, bucketSid: c.bucket_sid, max: b.max, hits: Number(c.hits), windowEnd: num(c.window_end) };
    }),
  };
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * PostgreSQL: the lookup and the upsert in one statement (one round trip, which is most of what the
 * two cost the node process). Nothing is counted when a name is unknown; rows are upserted in
 * (bucket, value) order, as above.
 */
async function countInOneTrip(db: Db, serviceSid: string, values: MeteredValue[], names: string[], now: number): Promise<{ unknown: string[]; counts: BucketCount[] }> {
  const v = sql.join(values.map((x) => sql`(${x.name}::text, ${x.valueHash}::text)`));
  const lapsed = sql`rate_limit_hits.window_end <= ${now}::bigint`;
  const { rows } = await sql<{ name: string; bucket_sid: string | null; max_hits: number | null; hits: number | null; window_end: string | number | null }>`
    WITH v(name, value_hash) AS (VALUES ${v}),
    found AS (
      SELECT r.unique_name AS name, b.sid AS bucket_sid, b.max_hits, b.interval_seconds, v.value_hash
      FROM v JOIN rate_limits r ON r.service_sid = ${serviceSid} AND r.unique_name = v.name
      LEFT JOIN rate_limit_buckets b ON b.rate_limit_sid = r.sid
    ),
    hit AS (
      INSERT INTO rate_limit_hits (bucket_sid, value_hash, window_end, hits)
      SELECT bucket_sid, value_hash, ${now}::bigint + interval_seconds * 1000, 1 FROM found
      WHERE bucket_sid IS NOT NULL AND (SELECT count(DISTINCT name) FROM found) = ${names.length}
      ORDER BY bucket_sid, value_hash
      ON CONFLICT (bucket_sid, value_hash) DO UPDATE SET
        hits = CASE WHEN ${lapsed} THEN 1 ELSE rate_limit_hits.hits + 1 END,
        window_end = CASE WHEN ${lapsed} THEN excluded.window_end ELSE rate_limit_hits.window_end END
      RETURNING bucket_sid, hits, window_end
    )
    SELECT f.name, f.bucket_sid, f.max_hits, h.hits, h.window_end FROM found f LEFT JOIN hit h ON h.bucket_sid = f.bucket_sid
  `.execute(db);
  const known = new Set(rows.map((r) => r.name));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) return { unknown, counts: [] };
  const counts = rows
    .filter((r) => r.bucket_sid !== null && r.hits !== null)
    .map((r) => ({ rateLimitName: r.name, bucketSid: r.bucket_sid!, max: Number(r.max_hits), hits: Number(r.hits), windowEnd: num(r.window_end!) }));
  return { unknown: [], counts };
}
