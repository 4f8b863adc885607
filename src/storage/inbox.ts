import type { Kysely, Selectable } from 'kysely';
import type { InboxFilter, InboxStore } from '../domain/ports/inbox.js';
import type { InboxMessage } from '../domain/types.js';
import { num, type Db } from './dialect.js';
import type { Database, InboxTable } from './schema.js';
import { translateViolations } from './violations.js';

const inboxFromRow = (r: Selectable<InboxTable>): InboxMessage => ({
  id: num(r.id),
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  verificationSid: r.verification_sid,
  attemptSid: r.attempt_sid,
  to: r.to_addr,
  channel: r.channel as InboxMessage['channel'],
  locale: r.locale,
  subject: r.subject,
  body: r.body,
  code: r.code,
  dateCreated: num(r.date_created),
});

export async function setInboxDestination(db: Db, verificationSid: string, to: string): Promise<void> {
  await db.updateTable('inbox_messages').set({ to_addr: to }).where('verification_sid', '=', verificationSid).execute();
}

export async function insertInboxMessage(db: Db, m: InboxMessage): Promise<void> {
  await db
    .insertInto('inbox_messages')
    .values({
      account_sid: m.accountSid,
      service_sid: m.serviceSid,
      verification_sid: m.verificationSid,
      attempt_sid: m.attemptSid,
      to_addr: m.to,
      channel: m.channel,
      locale: m.locale,
      subject: m.subject,
      body: m.body,
      code: m.code,
      date_created: m.dateCreated,
    })
    .execute();
}

export class SqlInboxStore implements InboxStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertInboxMessage(m: InboxMessage): Promise<void> {
    await translateViolations(() => insertInboxMessage(this.db, m));
  }

  async listInboxMessages(accountSid: string, filter: InboxFilter, limit: number): Promise<InboxMessage[]> {
    let q = this.db.selectFrom('inbox_messages').selectAll().where('account_sid', '=', accountSid);
    if (filter.to !== undefined) q = q.where('to_addr', '=', filter.to);
    if (filter.channel !== undefined) q = q.where('channel', '=', filter.channel);
    if (filter.serviceSid !== undefined) q = q.where('service_sid', '=', filter.serviceSid);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(inboxFromRow);
  }
}
