import type { Kysely, Selectable } from 'kysely';
import type { PageQuery } from '../domain/ports/paging.js';
import type { ServiceStore } from '../domain/ports/services.js';
import type { Service } from '../domain/types.js';
import { num, type Db, type SqlDialect } from './dialect.js';
import { listPage } from './keyset.js';
import { checkQuota } from './quota.js';
import type { Database, ServicesTable } from './schema.js';

const serviceFromRow = (r: Selectable<ServicesTable>): Service => ({
  sid: r.sid,
  accountSid: r.account_sid,
  friendlyName: r.friendly_name,
  config: JSON.parse(r.config),
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
});

const serviceToRow = (s: Service): Selectable<ServicesTable> => ({
  sid: s.sid,
  account_sid: s.accountSid,
  friendly_name: s.friendlyName,
  config: JSON.stringify(s.config),
  date_created: s.dateCreated,
  date_updated: s.dateUpdated,
});

/** A service by its sid alone, for work that already holds one of its verifications. */
export async function serviceBySid(db: Db, sid: string): Promise<Service | undefined> {
  const r = await db.selectFrom('services').selectAll().where('sid', '=', sid).executeTakeFirst();
  return r && serviceFromRow(r);
}

export class SqlServiceStore implements ServiceStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insertService(s: Service, maxPerAccount = Infinity): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await checkQuota(trx, this.dialect, 'services', s.accountSid, maxPerAccount);
      await trx.insertInto('services').values(serviceToRow(s)).execute();
    });
  }

  async getService(accountSid: string, sid: string): Promise<Service | undefined> {
    const r = await this.db.selectFrom('services').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return r && serviceFromRow(r);
  }

  async listServices(accountSid: string, page: PageQuery): Promise<Service[]> {
    const q = this.db.selectFrom('services').selectAll().where('account_sid', '=', accountSid);
    return (await listPage(q, page, 'asc')).map(serviceFromRow);
  }

  async updateService(accountSid: string, sid: string, change: (current: Service) => Service): Promise<Service | undefined> {
    return this.db.transaction().execute(async (trx) => {
      let q = trx.selectFrom('services').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid);
      if (this.dialect.rowLocks) q = q.forUpdate();
      const row = await q.executeTakeFirst();
      if (!row) return undefined;
      const next = change(serviceFromRow(row));
      await trx
        .updateTable('services')
        .set({ friendly_name: next.friendlyName, config: JSON.stringify(next.config), date_updated: next.dateUpdated })
        .where('sid', '=', sid)
        .execute();
      return next;
    });
  }

  async deleteService(accountSid: string, sid: string): Promise<boolean> {
    // Everything under the service goes with it through ON DELETE CASCADE.
    const res = await this.db.deleteFrom('services').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
