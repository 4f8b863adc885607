import type { Kysely, Selectable } from 'kysely';
import type { MessagingConfiguration, MessagingConfigurationStore } from '../domain/ports/messaging-configurations.js';
import type { PageQuery } from '../domain/ports/paging.js';
import { num } from './dialect.js';
import { listPage } from './keyset.js';
import type { Database, MessagingConfigurationsTable } from './schema.js';

const fromRow = (r: Selectable<MessagingConfigurationsTable>): MessagingConfiguration => ({
  sid: r.sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  country: r.country,
  messagingServiceSid: r.messaging_service_sid,
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
});

export class SqlMessagingConfigurationStore implements MessagingConfigurationStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertMessagingConfiguration(c: MessagingConfiguration): Promise<boolean> {
    // The unique (service, country) decides a race between two creates: one row, the other told 60213.
    const res = await this.db
      .insertInto('messaging_configurations')
      .values({
        sid: c.sid,
        account_sid: c.accountSid,
        service_sid: c.serviceSid,
        country: c.country,
        messaging_service_sid: c.messagingServiceSid,
        date_created: c.dateCreated,
        date_updated: c.dateUpdated,
      })
      .onConflict((oc) => oc.columns(['service_sid', 'country']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async getMessagingConfiguration(serviceSid: string, country: string): Promise<MessagingConfiguration | undefined> {
    const r = await this.db.selectFrom('messaging_configurations').selectAll().where('service_sid', '=', serviceSid).where('country', '=', country).executeTakeFirst();
    return r && fromRow(r);
  }

  async listMessagingConfigurations(serviceSid: string, page: PageQuery): Promise<MessagingConfiguration[]> {
    const q = this.db.selectFrom('messaging_configurations').selectAll().where('service_sid', '=', serviceSid);
    return (await listPage(q, page, 'asc')).map(fromRow);
  }

  async updateMessagingConfiguration(serviceSid: string, country: string, messagingServiceSid: string, at: number): Promise<MessagingConfiguration | undefined> {
    const r = await this.db
      .updateTable('messaging_configurations')
      .set({ messaging_service_sid: messagingServiceSid, date_updated: at })
      .where('service_sid', '=', serviceSid)
      .where('country', '=', country)
      .returningAll()
      .executeTakeFirst();
    return r && fromRow(r);
  }

  async deleteMessagingConfiguration(serviceSid: string, country: string): Promise<boolean> {
    const res = await this.db.deleteFrom('messaging_configurations').where('service_sid', '=', serviceSid).where('country', '=', country).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async profileFor(serviceSid: string, country: string | null): Promise<string | null> {
    const rows = await this.db
      .selectFrom('messaging_configurations')
      .select(['country', 'messaging_service_sid'])
      .where('service_sid', '=', serviceSid)
      .where('country', 'in', country === null ? ['all'] : [country, 'all'])
      .execute();
    // The country's own configuration wins over the global one.
    return (rows.find((r) => r.country !== 'all') ?? rows[0])?.messaging_service_sid ?? null;
  }
}
