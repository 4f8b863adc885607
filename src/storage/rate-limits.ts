import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
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
import { num, runStatement, type Db, type SqlDialect } from './dialect.js';
import { sweepInKeyOrder, type SweptTable } from './key-sweep.js';
import { listPage } from './keyset.js';
import type { Database, RateLimitBucketsTable, RateLimitsTable } from './schema.js';
import { translateViolations } from './violations.js';

/** The counters, as the purge sweeps them (migration 018 keys them so). */
export const HITS: SweptTable = { table: 'rate_limit_hits', key: ['value_hash', 'bucket_sid'] };

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

  purgeRateLimitHits(now: number, chunk?: number): Promise<number> {
    return sweepInKeyOrder(this.db, HITS, sql<SqlBool>`window_end <= ${now}`, chunk);
  }
}

/**
 * A start's hits (RateLimitTx.countRateLimitHits): the lookup of the named rate limits' buckets and
 * the upsert of every counter, in one statement written once per number of values (runStatement:
 * no query building on this path). The upsert takes each counter's row lock until the transaction
 * ends (on PostgreSQL a second start waits and then sees the first one's count; on SQLite
 * transactions are serial), so a count is exact across nodes. On PostgreSQL rows are written in key
 * order so two starts never wait for each other in opposite orders (SQLite's serial transactions
 * need no order, and its sort would cost a temporary b-tree). Nothing is counted when a name is
 * unknown.
 */
export async function countRateLimitHits(db: Db, dialect: SqlDialect, serviceSid: string, values: MeteredValue[], now: number): Promise<{ unknown: string[]; counts: BucketCount[] }> {
  const names = [...new Set(values.map((v) => v.name))];
  if (names.length === 0) return { unknown: [], counts: [] };
  const params: unknown[] = values.flatMap((v) => [v.name, v.valueHash]);
  params.push(serviceSid, now, names.length, now, now);
  const { rows } = await runStatement<CountedRow>(db, dialect, countText(dialect, values.length), params);
  // PostgreSQL's statement returns every bucket found (a name without buckets as a null one); SQLite's
  // RETURNING only the counted: which names exist is asked apart when a name has none back.
  const counts = rows.filter((r) => r.bucket_sid !== null && r.hits !== null).map(bucketCount);
  const found = new Set(rows.map((r) => r.name));
  if (found.size === names.length) return { unknown: [], counts };
  const known = dialect.writableCte ? found : new Set((await db.selectFrom('rate_limits').select('unique_name').where('service_sid', '=', serviceSid).where('unique_name', 'in', names).execute()).map((r) => r.unique_name));
  const unknown = names.filter((n) => !known.has(n));
  return unknown.length > 0 ? { unknown, counts: [] } : { unknown: [], counts };
}

interface CountedRow {
  name: string;
  bucket_sid: string | null;
  max_hits: number | null;
  hits: number | null;
  window_end: number | string | null;
}

const bucketCount = (r: CountedRow): BucketCount => ({ rateLimitName: r.name, bucketSid: r.bucket_sid!, max: Number(r.max_hits), hits: Number(r.hits), windowEnd: num(r.window_end!) });

const countTexts = new Map<string, string>();

/** countRateLimitHits' statement for `n` values; parameters: each (name, hash), service, now, the number of names, now, now. */
function countText(dialect: SqlDialect, n: number): string {
  const key = `${dialect.name}:${n}`;
  const cached = countTexts.get(key);
  if (cached) return cached;
  const pg = dialect.writableCte;
  const t = pg ? '::text' : '';
  const bigint = pg ? '::bigint' : '';
  const found = `v(name, value_hash) AS (VALUES ${Array.from({ length: n }, () => `(?${t}, ?${t})`).join(', ')}),
    found AS (
      SELECT r.unique_name AS name, b.sid AS bucket_sid, b.max_hits, b.interval_seconds, v.value_hash
      FROM v JOIN rate_limits r ON r.service_sid = ? AND r.unique_name = v.name
      LEFT JOIN rate_limit_buckets b ON b.rate_limit_sid = r.sid
    )`;
  const lapsed = `rate_limit_hits.window_end <= ?${bigint}`;
  const upsert = `INSERT INTO rate_limit_hits (value_hash, bucket_sid, window_end, hits)
    SELECT value_hash, bucket_sid, ?${bigint} + interval_seconds * 1000, 1 FROM found
    WHERE bucket_sid IS NOT NULL AND (SELECT count(DISTINCT name) FROM found) = ?
    ${pg ? 'ORDER BY value_hash, bucket_sid' : ''}
    ON CONFLICT (value_hash, bucket_sid) DO UPDATE SET
      hits = CASE WHEN ${lapsed} THEN 1 ELSE rate_limit_hits.hits + 1 END,
      window_end = CASE WHEN ${lapsed} THEN excluded.window_end ELSE rate_limit_hits.window_end END`;
  // PostgreSQL: the upsert in a WITH, read back beside what was found (one round trip). SQLite has
  // no data-modifying WITH: the bucket's name and max come from RETURNING's subqueries.
  const text = pg
    ? `WITH ${found}, hit AS (${upsert} RETURNING value_hash, bucket_sid, hits, window_end)
      SELECT f.name, f.bucket_sid, f.max_hits, h.hits, h.window_end
      FROM found f LEFT JOIN hit h ON h.bucket_sid = f.bucket_sid AND h.value_hash = f.value_hash`
    : `WITH ${found} ${upsert}
      RETURNING bucket_sid, hits, window_end,
        (SELECT max_hits FROM rate_limit_buckets WHERE sid = rate_limit_hits.bucket_sid) AS max_hits,
        (SELECT r.unique_name FROM rate_limit_buckets b JOIN rate_limits r ON r.sid = b.rate_limit_sid WHERE b.sid = rate_limit_hits.bucket_sid) AS name`;
  countTexts.set(key, text);
  return text;
}
