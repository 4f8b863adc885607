import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { AdmissionQuery, AdmissionReading, AdmissionStore } from '../domain/ports/protection.js';
import type { GeoRule } from '../domain/protection/types.js';
import type { SqlDialect } from './dialect.js';
import { ACCOUNT_SCOPE, ruleFromRow } from './protection.js';
import { countingStart, pumpingColumns, pumpingFrom, pumpingFromRow, type PumpingRow } from './pumping.js';
import type { Database } from './schema.js';

/** A geo rule read as `mode countries-json` (one scalar subquery per scope). */
const geoRule = (v: string | null): GeoRule | undefined => {
  if (v === null) return undefined;
  const space = v.indexOf(' ');
  return ruleFromRow({ mode: v.slice(0, space), countries: v.slice(space + 1) });
};

type Common = { geo_service: string | null; geo_account: string | null; safe: number | null };

/** readAdmission's one statement (exported for the test that reads SQLite's plan of it); `count`: with countingStart's WITH. */
export function admissionQuery(q: AdmissionQuery, count = false): RawBuilder<Common & Partial<PumpingRow>> {
  const geo = (scope: string) =>
    sql`(SELECT mode || ' ' || countries FROM geo_permissions WHERE account_sid = ${q.accountSid} AND service_sid = ${scope} AND channel = ${q.channel})`;
  const common = sql`${geo(q.serviceSid)} AS geo_service, ${geo(ACCOUNT_SCOPE)} AS geo_account,
    (SELECT 1 FROM safe_list WHERE account_sid = ${q.accountSid} AND phone_number = ${q.to}) AS safe`;
  if (!q.pumping) return sql<Common>`SELECT ${common}`;
  const { keys, defaultLevel } = q.pumping;
  const counting = count ? countingStart({ accountSid: q.accountSid, serviceSid: q.serviceSid, to: q.to, keys, defaultLevel, now: q.now }) : sql``;
  return sql<Common & PumpingRow>`${counting} SELECT ${common}, ${pumpingColumns(q.serviceSid, keys, q.now)} ${pumpingFrom(q.serviceSid, keys, q.now)}`;
}

/**
 * Everything a start's protections read, in one statement (one round trip on PostgreSQL): the
 * service's and the account's geo rules for the channel, whether the number is on the account's
 * Safe List, and, for a start the pumping guard judges, the service's level and the destination's
 * counters. Each part is a lookup or a short range scan of a primary key or unique index. On
 * PostgreSQL the same statement counts the start (countsInRead): a round trip is most of what a
 * statement costs the node there; on SQLite, where a statement is a function call but a commit of
 * its own is not free, the start's transaction counts it.
 */
export class SqlAdmissionStore implements AdmissionStore {
  readonly countsInRead: boolean;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: SqlDialect,
  ) {
    this.countsInRead = dialect.writableCte;
  }

  async readAdmission(q: AdmissionQuery): Promise<AdmissionReading> {
    const row = (await admissionQuery(q, this.countsInRead).execute(this.db)).rows[0]!;
    const reading: AdmissionReading = { geo: {}, safeListed: row.safe !== null };
    const service = geoRule(row.geo_service);
    const account = geoRule(row.geo_account);
    if (service) reading.geo.service = service;
    if (account) reading.geo.account = account;
    if (q.pumping) reading.pumping = pumpingFromRow(row as Common & PumpingRow, q.now);
    return reading;
  }
}
