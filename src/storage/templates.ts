import type { Kysely, Selectable } from 'kysely';
import type { PageQuery } from '../domain/ports/paging.js';
import type { TemplateFilter, TemplateStore } from '../domain/ports/templates.js';
import type { VerificationTemplate } from '../domain/types.js';
import { num } from './dialect.js';
import { listPage } from './keyset.js';
import type { Database, TemplatesTable } from './schema.js';

const templateFromRow = (r: Selectable<TemplatesTable>): VerificationTemplate => ({
  sid: r.sid,
  accountSid: r.account_sid,
  friendlyName: r.friendly_name,
  channels: JSON.parse(r.channels),
  translations: JSON.parse(r.translations),
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
});

export class SqlTemplateStore implements TemplateStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertTemplate(t: VerificationTemplate): Promise<void> {
    await this.db
      .insertInto('templates')
      .values({
        sid: t.sid,
        account_sid: t.accountSid,
        friendly_name: t.friendlyName,
        channels: JSON.stringify(t.channels),
        translations: JSON.stringify(t.translations),
        date_created: t.dateCreated,
        date_updated: t.dateUpdated,
      })
      .execute();
  }

  async getTemplate(accountSid: string, sid: string): Promise<VerificationTemplate | undefined> {
    const r = await this.db.selectFrom('templates').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return r && templateFromRow(r);
  }

  async listTemplates(accountSid: string, filter: TemplateFilter, page: PageQuery): Promise<VerificationTemplate[]> {
    let q = this.db.selectFrom('templates').selectAll().where('account_sid', '=', accountSid);
    if (filter.friendlyName !== undefined) q = q.where('friendly_name', '=', filter.friendlyName);
    return (await listPage(q, page, 'asc')).map(templateFromRow);
  }

  async deleteTemplate(sid: string): Promise<boolean> {
    const res = await this.db.deleteFrom('templates').where('sid', '=', sid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
