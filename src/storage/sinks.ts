import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { SinkStore } from '../domain/events/ports.js';
import type { Sink, SinkStatus, SubscribedEvent, Subscription } from '../domain/events/types.js';
import type { PageQuery } from '../domain/ports/paging.js';
import { num as n, type SqlDialect } from './dialect.js';
import { listPage } from './keyset.js';
import { checkQuota } from './quota.js';
import type { Database, EventSinksTable, EventSubscriptionsTable } from './schema.js';
import { translateViolations } from './violations.js';

export const sinkFromRow = (r: Selectable<EventSinksTable>): Sink => ({
  sid: r.sid,
  accountSid: r.account_sid,
  description: r.description,
  sinkType: r.sink_type as Sink['sinkType'],
  config: JSON.parse(r.config),
  status: r.status as SinkStatus,
  dateCreated: n(r.date_created),
  dateUpdated: n(r.date_updated),
});

const subscriptionFromRow = (r: Selectable<EventSubscriptionsTable>): Subscription => ({
  sid: r.sid,
  accountSid: r.account_sid,
  sinkSid: r.sink_sid,
  description: r.description,
  dateCreated: n(r.date_created),
  dateUpdated: n(r.date_updated),
});

const subscribedFromRow = (r: { subscription_sid: string; account_sid: string; type: string; schema_version: number }): SubscribedEvent => ({
  subscriptionSid: r.subscription_sid,
  accountSid: r.account_sid,
  type: r.type,
  schemaVersion: n(r.schema_version),
});

/** The subscription and its types, in one transaction. */
async function insertSubscriptionRows(trx: Transaction<Database>, s: Subscription, types: SubscribedEvent[]): Promise<void> {
  await trx
    .insertInto('event_subscriptions')
    .values({
      sid: s.sid,
      account_sid: s.accountSid,
      sink_sid: s.sinkSid,
      description: s.description,
      date_created: s.dateCreated,
      date_updated: s.dateUpdated,
    })
    .execute();
  if (types.length > 0) {
    await trx
      .insertInto('event_subscribed_types')
      .values(types.map((t) => ({ subscription_sid: s.sid, account_sid: s.accountSid, type: t.type, schema_version: t.schemaVersion })))
      .execute();
  }
}

export class SqlSinkStore implements SinkStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async insertSink(s: Sink, maxPerAccount = Infinity): Promise<void> {
    const row = {
      sid: s.sid,
      account_sid: s.accountSid,
      description: s.description,
      sink_type: s.sinkType,
      config: JSON.stringify(s.config),
      status: s.status,
      date_created: s.dateCreated,
      date_updated: s.dateUpdated,
    };
    await this.db.transaction().execute(async (trx) => {
      await checkQuota(trx, this.dialect, 'event_sinks', s.accountSid, maxPerAccount);
      await trx.insertInto('event_sinks').values(row).execute();
    });
  }

  async getSink(accountSid: string, sid: string): Promise<Sink | undefined> {
    const r = await this.db.selectFrom('event_sinks').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return r && sinkFromRow(r);
  }

  async listSinks(accountSid: string, filter: { inUse?: boolean; status?: SinkStatus }, page: PageQuery): Promise<Sink[]> {
    let q = this.db.selectFrom('event_sinks').selectAll().where('account_sid', '=', accountSid);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.inUse !== undefined) {
      const used = (eb: ExpressionBuilder<Database, 'event_sinks'>) =>
        eb.exists(eb.selectFrom('event_subscriptions').select(sql.lit(1).as('one')).whereRef('event_subscriptions.sink_sid', '=', 'event_sinks.sid'));
      q = q.where((eb) => (filter.inUse ? used(eb) : eb.not(used(eb))));
    }
    return (await listPage(q, page, 'asc')).map(sinkFromRow);
  }

  async updateSinkDescription(accountSid: string, sid: string, description: string, at: number): Promise<Sink | undefined> {
    const res = await this.db
      .updateTable('event_sinks')
      .set({ description, date_updated: at })
      .where('sid', '=', sid)
      .where('account_sid', '=', accountSid)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    return this.getSink(accountSid, sid);
  }

  async deleteSink(accountSid: string, sid: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // The cascade would lock the sink's deliveries in scan order; taking them in id order first
      // (as settlements do) avoids deadlocking with a dispatcher settling them.
      if (this.dialect.rowLocks) await trx.selectFrom('event_deliveries').select('id').where('sink_sid', '=', sid).orderBy('id').forUpdate().execute();
      const res = await trx.deleteFrom('event_sinks').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
      return Number(res.numDeletedRows) > 0;
    });
  }

  /** MissingParent when the sink is gone. */
  async insertSubscription(s: Subscription, types: SubscribedEvent[], maxPerAccount = Infinity): Promise<void> {
    await translateViolations(() =>
      this.db.transaction().execute(async (trx) => {
        await checkQuota(trx, this.dialect, 'event_subscriptions', s.accountSid, maxPerAccount);
        await insertSubscriptionRows(trx, s, types);
      }),
    );
  }

  async getSubscription(accountSid: string, sid: string): Promise<Subscription | undefined> {
    const r = await this.db.selectFrom('event_subscriptions').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return r && subscriptionFromRow(r);
  }

  async listSubscriptions(accountSid: string, filter: { sinkSid?: string }, page: PageQuery): Promise<Subscription[]> {
    let q = this.db.selectFrom('event_subscriptions').selectAll().where('account_sid', '=', accountSid);
    if (filter.sinkSid !== undefined) q = q.where('sink_sid', '=', filter.sinkSid);
    return (await listPage(q, page, 'asc')).map(subscriptionFromRow);
  }

  async updateSubscriptionDescription(accountSid: string, sid: string, description: string, at: number): Promise<Subscription | undefined> {
    const res = await this.db
      .updateTable('event_subscriptions')
      .set({ description, date_updated: at })
      .where('sid', '=', sid)
      .where('account_sid', '=', accountSid)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return undefined;
    return this.getSubscription(accountSid, sid);
  }

  async deleteSubscription(accountSid: string, sid: string): Promise<boolean> {
    const res = await this.db.deleteFrom('event_subscriptions').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async listSubscribedEvents(
    accountSid: string,
    subscriptionSid: string,
    page: { afterType?: string; offset: number; limit: number },
  ): Promise<SubscribedEvent[]> {
    let q = this.db.selectFrom('event_subscribed_types').selectAll().where('subscription_sid', '=', subscriptionSid).where('account_sid', '=', accountSid);
    if (page.afterType !== undefined) q = q.where('type', '>', page.afterType);
    else if (page.offset > 0) q = q.offset(page.offset);
    const rows = await q.orderBy('type').limit(page.limit).execute();
    return rows.map(subscribedFromRow);
  }

  async getSubscribedEvent(accountSid: string, subscriptionSid: string, type: string): Promise<SubscribedEvent | undefined> {
    const r = await this.db
      .selectFrom('event_subscribed_types')
      .selectAll()
      .where('subscription_sid', '=', subscriptionSid)
      .where('account_sid', '=', accountSid)
      .where('type', '=', type)
      .executeTakeFirst();
    return r && subscribedFromRow(r);
  }

  async putSubscribedEvent(e: SubscribedEvent): Promise<boolean> {
    return translateViolations(() => this.upsertSubscribedEvent(e));
  }

  private async upsertSubscribedEvent(e: SubscribedEvent): Promise<boolean> {
    const updated = await this.db
      .updateTable('event_subscribed_types')
      .set({ schema_version: e.schemaVersion })
      .where('subscription_sid', '=', e.subscriptionSid)
      .where('account_sid', '=', e.accountSid)
      .where('type', '=', e.type)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return false;
    await this.db
      .insertInto('event_subscribed_types')
      .values({ subscription_sid: e.subscriptionSid, account_sid: e.accountSid, type: e.type, schema_version: e.schemaVersion })
      .execute();
    return true;
  }

  async deleteSubscribedEvent(accountSid: string, subscriptionSid: string, type: string): Promise<boolean> {
    const res = await this.db
      .deleteFrom('event_subscribed_types')
      .where('subscription_sid', '=', subscriptionSid)
      .where('account_sid', '=', accountSid)
      .where('type', '=', type)
      .executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
