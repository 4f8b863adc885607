import type { Kysely } from 'kysely';
import type { GeoPermissionStore, GeoScope, SafeListStore } from '../domain/ports/protection.js';
import type { GeoRule, SafeListEntry } from '../domain/protection/types.js';
import { num } from './dialect.js';
import type { Database } from './schema.js';

// The account's own rule is stored under service '' so that (account, service, channel) is one key.
export const ACCOUNT_SCOPE = '';
const scopeKey = (s: GeoScope) => s.serviceSid ?? ACCOUNT_SCOPE;
export const ruleFromRow = (r: { mode: string; countries: string }): GeoRule => ({ mode: r.mode as GeoRule['mode'], countries: JSON.parse(r.countries) as string[] });

export class SqlSafeListStore implements SafeListStore {
  constructor(private readonly db: Kysely<Database>) {}

  async addSafeNumber(e: SafeListEntry): Promise<SafeListEntry> {
    // Adding a number twice keeps the first entry (and its sid): no error, no second row.
    await this.db
      .insertInto('safe_list')
      .values({ sid: e.sid, account_sid: e.accountSid, phone_number: e.phoneNumber, date_created: e.dateCreated })
      .onConflict((oc) => oc.columns(['account_sid', 'phone_number']).doNothing())
      .execute();
    return (await this.getSafeNumber(e.accountSid, e.phoneNumber))!;
  }

  async getSafeNumber(accountSid: string, phoneNumber: string): Promise<SafeListEntry | undefined> {
    const r = await this.db.selectFrom('safe_list').selectAll().where('account_sid', '=', accountSid).where('phone_number', '=', phoneNumber).executeTakeFirst();
    return r && { sid: r.sid, accountSid: r.account_sid, phoneNumber: r.phone_number, dateCreated: num(r.date_created) };
  }

  async deleteSafeNumber(accountSid: string, phoneNumber: string): Promise<boolean> {
    const res = await this.db.deleteFrom('safe_list').where('account_sid', '=', accountSid).where('phone_number', '=', phoneNumber).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}

export class SqlGeoPermissionStore implements GeoPermissionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async setGeoRule(scope: GeoScope, channel: string, rule: GeoRule, at: number): Promise<void> {
    const row = { mode: rule.mode, countries: JSON.stringify(rule.countries), date_updated: at };
    await this.db
      .insertInto('geo_permissions')
      .values({ account_sid: scope.accountSid, service_sid: scopeKey(scope), channel, ...row })
      .onConflict((oc) => oc.columns(['account_sid', 'service_sid', 'channel']).doUpdateSet(row))
      .execute();
  }

  async clearGeoRule(scope: GeoScope, channel: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('geo_permissions')
      .where('account_sid', '=', scope.accountSid)
      .where('service_sid', '=', scopeKey(scope))
      .where('channel', '=', channel)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async listGeoRules(accountSid: string): Promise<Array<{ serviceSid: string | null; channel: string; rule: GeoRule }>> {
    const rows = await this.db.selectFrom('geo_permissions').selectAll().where('account_sid', '=', accountSid).orderBy('service_sid').orderBy('channel').execute();
    return rows.map((r) => ({ serviceSid: r.service_sid === '' ? null : r.service_sid, channel: r.channel, rule: ruleFromRow(r) }));
  }
}
