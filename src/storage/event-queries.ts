import { randomBytes } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Settlement } from '../domain/events/ports.js';
import type { PageQuery } from '../domain/ports.js';
import type {
  ClaimedDelivery,
  DeliveryState,
  DeliveryStatus,
  OutboxEvent,
  Sink,
  SinkStatus,
  SubscribedEvent,
  Subscription,
} from '../domain/events/types.js';
import { listPage } from './keyset.js';
import type { Database, EventSinksTable, EventSubscriptionsTable, EventsTable } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;
const n = (v: unknown): number => Number(v);
const PENDING = sql.lit('pending');

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

const eventFromRow = (r: Selectable<EventsTable>): OutboxEvent => ({
  id: r.id,
  accountSid: r.account_sid,
  type: r.type,
  partitionKey: r.partition_key,
  payload: JSON.parse(r.payload),
  testId: r.test_id,
  dateCreated: n(r.date_created),
});


export async function insertSink(db: Db, s: Sink): Promise<void> {
  await db
    .insertInto('event_sinks')
    .values({
      sid: s.sid,
      account_sid: s.accountSid,
      description: s.description,
      sink_type: s.sinkType,
      config: JSON.stringify(s.config),
      status: s.status,
      date_created: s.dateCreated,
      date_updated: s.dateUpdated,
    })
    .execute();
}

export async function getSink(db: Db, accountSid: string, sid: string): Promise<Sink | undefined> {
  const r = await db.selectFrom('event_sinks').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
  return r && sinkFromRow(r);
}

export async function listSinks(db: Db, accountSid: string, filter: { inUse?: boolean; status?: SinkStatus }, page: PageQuery): Promise<Sink[]> {
  let q = db.selectFrom('event_sinks').selectAll().where('account_sid', '=', accountSid);
  if (filter.status !== undefined) q = q.where('status', '=', filter.status);
  if (filter.inUse !== undefined) {
    const used = (eb: ExpressionBuilder<Database, 'event_sinks'>) =>
      eb.exists(eb.selectFrom('event_subscriptions').select(sql.lit(1).as('one')).whereRef('event_subscriptions.sink_sid', '=', 'event_sinks.sid'));
    q = q.where((eb) => (filter.inUse ? used(eb) : eb.not(used(eb))));
  }
  return (await listPage(q, page, 'asc')).map(sinkFromRow);
}

export async function updateSinkDescription(db: Db, accountSid: string, sid: string, description: string, at: number): Promise<Sink | undefined> {
  const res = await db
    .updateTable('event_sinks')
    .set({ description, date_updated: at })
    .where('sid', '=', sid)
    .where('account_sid', '=', accountSid)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return undefined;
  return getSink(db, accountSid, sid);
}

export async function deleteSink(db: Kysely<Database>, lock: boolean, accountSid: string, sid: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // The cascade would lock the sink's deliveries in scan order; taking them in id order first
    // (as settlements do) avoids deadlocking with a dispatcher settling them.
    if (lock) await trx.selectFrom('event_deliveries').select('id').where('sink_sid', '=', sid).orderBy('id').forUpdate().execute();
    const res = await trx.deleteFrom('event_sinks').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  });
}

export async function insertSubscription(db: Kysely<Database>, s: Subscription, types: SubscribedEvent[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
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
  });
}

export async function getSubscription(db: Db, accountSid: string, sid: string): Promise<Subscription | undefined> {
  const r = await db.selectFrom('event_subscriptions').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
  return r && subscriptionFromRow(r);
}

export async function listSubscriptions(db: Db, accountSid: string, filter: { sinkSid?: string }, page: PageQuery): Promise<Subscription[]> {
  let q = db.selectFrom('event_subscriptions').selectAll().where('account_sid', '=', accountSid);
  if (filter.sinkSid !== undefined) q = q.where('sink_sid', '=', filter.sinkSid);
  return (await listPage(q, page, 'asc')).map(subscriptionFromRow);
}

export async function updateSubscriptionDescription(db: Db, accountSid: string, sid: string, description: string, at: number): Promise<Subscription | undefined> {
  const res = await db
    .updateTable('event_subscriptions')
    .set({ description, date_updated: at })
    .where('sid', '=', sid)
    .where('account_sid', '=', accountSid)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return undefined;
  return getSubscription(db, accountSid, sid);
}

export async function deleteSubscription(db: Db, accountSid: string, sid: string): Promise<boolean> {
  const res = await db.deleteFrom('event_subscriptions').where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

const subscribedFromRow = (r: { subscription_sid: string; account_sid: string; type: string; schema_version: number }): SubscribedEvent => ({
  subscriptionSid: r.subscription_sid,
  accountSid: r.account_sid,
  type: r.type,
  schemaVersion: n(r.schema_version),
});

export async function listSubscribedEvents(
  db: Db,
  accountSid: string,
  subscriptionSid: string,
  page: { afterType?: string; offset: number; limit: number },
): Promise<SubscribedEvent[]> {
  let q = db.selectFrom('event_subscribed_types').selectAll().where('subscription_sid', '=', subscriptionSid).where('account_sid', '=', accountSid);
  if (page.afterType !== undefined) q = q.where('type', '>', page.afterType);
  else if (page.offset > 0) q = q.offset(page.offset);
  const rows = await q.orderBy('type').limit(page.limit).execute();
  return rows.map(subscribedFromRow);
}

export async function getSubscribedEvent(db: Db, accountSid: string, subscriptionSid: string, type: string): Promise<SubscribedEvent | undefined> {
  const r = await db
    .selectFrom('event_subscribed_types')
    .selectAll()
    .where('subscription_sid', '=', subscriptionSid)
    .where('account_sid', '=', accountSid)
    .where('type', '=', type)
    .executeTakeFirst();
  return r && subscribedFromRow(r);
}

export async function putSubscribedEvent(db: Db, e: SubscribedEvent): Promise<boolean> {
  const updated = await db
    .updateTable('event_subscribed_types')
    .set({ schema_version: e.schemaVersion })
    .where('subscription_sid', '=', e.subscriptionSid)
    .where('account_sid', '=', e.accountSid)
    .where('type', '=', e.type)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return false;
  await db
    .insertInto('event_subscribed_types')
    .values({ subscription_sid: e.subscriptionSid, account_sid: e.accountSid, type: e.type, schema_version: e.schemaVersion })
    .execute();
  return true;
}

export async function deleteSubscribedEvent(db: Db, accountSid: string, subscriptionSid: string, type: string): Promise<boolean> {
  const res = await db
    .deleteFrom('event_subscribed_types')
    .where('subscription_sid', '=', subscriptionSid)
    .where('account_sid', '=', accountSid)
    .where('type', '=', type)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

// ---------------------------------------------------------------- outbox

export async function subscribedSinks(db: Db, lock: boolean, accountSid: string, type: string): Promise<string[]> {
  let q = db
    .selectFrom('event_subscribed_types as t')
    .innerJoin('event_subscriptions as s', 's.sid', 't.subscription_sid')
    .innerJoin('event_sinks as k', 'k.sid', 's.sink_sid')
    .select('k.sid')
    .where('t.account_sid', '=', accountSid)
    .where('t.type', '=', type)
    .orderBy('k.sid');
  // The sinks stay until this transaction commits: a sink deleted meanwhile either waits for it or
  // is gone from this result, never gone between this read and the delivery rows that name it.
  if (lock) q = q.forKeyShare('k');
  const rows = await q.execute();
  return [...new Set(rows.map((r) => r.sid))];
}

/** The PostgreSQL channel dispatchers LISTEN on; a NOTIFY in a transaction is sent at its commit. */
export const OUTBOX_CHANNEL = 'verifyd_outbox';

export async function insertEvent(db: Db, e: OutboxEvent, sinkSids: string[], notify: boolean): Promise<void> {
  await db
    .insertInto('events')
    .values({
      id: e.id,
      account_sid: e.accountSid,
      type: e.type,
      partition_key: e.partitionKey,
      payload: JSON.stringify(e.payload),
      test_id: e.testId,
      date_created: e.dateCreated,
    })
    .execute();
  if (sinkSids.length === 0) return;
  await db
    .insertInto('event_deliveries')
    .values(
      sinkSids.map((sink) => ({
        event_id: e.id,
        sink_sid: sink,
        state: 'pending',
        attempts: 0,
        next_attempt_at: e.dateCreated,
        claim: null,
        date_created: e.dateCreated,
        date_updated: e.dateCreated,
      })),
    )
    .execute();
  if (notify) await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
}

export async function findTestEvent(db: Db, accountSid: string, sinkSid: string, testId: string): Promise<OutboxEvent | undefined> {
  const r = await db
    .selectFrom('events')
    .selectAll('events')
    .where('events.account_sid', '=', accountSid)
    .where('events.test_id', '=', testId)
    .where((eb) => eb.exists(eb.selectFrom('event_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.event_id', '=', 'events.id').where('d.sink_sid', '=', sinkSid)))
    .executeTakeFirst();
  return r && eventFromRow(r);
}

export async function claimDeliveries(
  db: Kysely<Database>,
  lock: boolean,
  now: number,
  leaseUntil: number,
  limit: number,
  skipSinks: string[] = [],
): Promise<ClaimedDelivery[]> {
  const claim = randomBytes(12).toString('hex');
  let due = db
    .selectFrom('event_deliveries')
    .select('id')
    .where('state', '=', PENDING)
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit);
  if (skipSinks.length > 0) due = due.where('sink_sid', 'not in', skipSinks);
  // Dispatchers on several nodes each take rows the others are not claiming at this moment.
  if (lock) due = due.forUpdate().skipLocked();
  const claimed = await db
    .updateTable('event_deliveries')
    .set({ claim, next_attempt_at: leaseUntil, date_updated: now })
    .where('id', 'in', due)
    .returning(['id', 'event_id', 'sink_sid', 'attempts'])
    .execute();
  if (claimed.length === 0) return [];
  const eventIds = [...new Set(claimed.map((c) => c.event_id))];
  const sinkSids = [...new Set(claimed.map((c) => c.sink_sid))];
  const [events, sinks] = await Promise.all([
    db.selectFrom('events').selectAll().where('id', 'in', eventIds).execute(),
    db.selectFrom('event_sinks').selectAll().where('sid', 'in', sinkSids).execute(),
  ]);
  const eventById = new Map(events.map((r) => [r.id, eventFromRow(r)]));
  const sinkBySid = new Map(sinks.map((r) => [r.sid, sinkFromRow(r)]));
  const out: ClaimedDelivery[] = [];
  for (const c of claimed.sort((a, b) => n(a.id) - n(b.id))) {
    const event = eventById.get(c.event_id);
    const sink = sinkBySid.get(c.sink_sid);
    // A sink deleted since the claim took its deliveries with it.
    if (event && sink) out.push({ id: n(c.id), claim, leaseUntil, attempts: n(c.attempts), event, sink });
  }
  return out;
}

/**
 * Settles a batch: every attempt recorded, every delivery whose claim is still current moved on.
 * The common case takes a few statements for the whole batch; if that fails (a delivery deleted
 * with its sink meanwhile fails the attempt insert's foreign key), each is settled on its own.
 */
export async function settleDeliveries(db: Kysely<Database>, lock: boolean, items: Settlement[]): Promise<void> {
  if (items.length === 0) return;
  // In id order, as deleteSink locks them, so the two never wait on each other in a cycle.
  const ordered = [...items].sort((a, b) => a.delivery.id - b.delivery.id);
  try {
    await db.transaction().execute((trx) => settleTogether(trx, ordered));
  } catch {
    await db.transaction().execute((trx) => settleOneByOne(trx, lock, ordered));
  }
}

const attemptRow = ({ delivery, attempt }: Settlement) => ({
  delivery_id: delivery.id,
  sink_sid: attempt.sinkSid,
  attempted_at: attempt.attemptedAt,
  status_code: attempt.statusCode,
  error: attempt.error === null ? null : cleanError(attempt.error),
  latency_ms: Math.round(attempt.latencyMs),
});

/** The delivery's next state, guarded by its claim: a stale claim records its attempt and nothing more. */
function advance(trx: Transaction<Database>, ids: number[], claim: string, state: DeliveryState, nextAt: number, at: number) {
  return trx
    .updateTable('event_deliveries')
    .set((eb) => ({ state, attempts: eb('attempts', '+', 1), next_attempt_at: Math.round(nextAt), claim: null, date_updated: at }))
    .where('id', 'in', ids)
    .where('claim', '=', claim)
    .execute();
}

const endOf = (x: Settlement): number => x.attempt.attemptedAt + Math.round(x.attempt.latencyMs);

async function settleTogether(trx: Transaction<Database>, items: Settlement[]): Promise<void> {
  await trx.insertInto('event_delivery_attempts').values(items.map(attemptRow)).execute();
  const delivered = new Map<string, Settlement[]>();
  for (const x of items) {
    if (x.attempt.ok) delivered.set(x.delivery.claim, [...(delivered.get(x.delivery.claim) ?? []), x]);
    else await advance(trx, [x.delivery.id], x.delivery.claim, x.retryAt === null ? 'failed' : 'pending', x.retryAt ?? x.attempt.attemptedAt, endOf(x));
  }
  for (const [claim, group] of delivered) {
    const at = Math.max(...group.map(endOf));
    await advance(trx, group.map((x) => x.delivery.id), claim, 'delivered', at, at);
  }
}

async function settleOneByOne(trx: Transaction<Database>, lock: boolean, items: Settlement[]): Promise<void> {
  for (const x of items) {
    let q = trx.selectFrom('event_deliveries').select('id').where('id', '=', x.delivery.id);
    // Held until commit, so a concurrent sink deletion cannot pull the row from under the attempt record.
    if (lock) q = q.forUpdate();
    if (!(await q.executeTakeFirst())) continue;
    await trx.insertInto('event_delivery_attempts').values(attemptRow(x)).execute();
    const state: DeliveryState = x.attempt.ok ? 'delivered' : x.retryAt === null ? 'failed' : 'pending';
    await advance(trx, [x.delivery.id], x.delivery.claim, state, x.retryAt ?? x.attempt.attemptedAt, endOf(x));
  }
}

/** Error text comes from receivers and remote services: no control characters (PostgreSQL refuses NUL), bounded. */
const cleanError = (text: string): string => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 500);

/** Gives unsent claims back at once (due now), rather than leaving them to lapse with their lease. */
export async function releaseDeliveries(db: Db, ids: number[], claim: string, now: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('event_deliveries')
    .set({ claim: null, next_attempt_at: now, date_updated: now })
    .where('id', 'in', ids)
    .where('claim', '=', claim)
    .where('state', '=', PENDING)
    .execute();
}

/** One snapshot for both reads, so a row is never shown beside attempts recorded after it was read. */
export function deliveryStatus(db: Kysely<Database>, repeatableRead: boolean, eventId: string): Promise<DeliveryStatus[]> {
  const tx = db.transaction();
  return (repeatableRead ? tx.setIsolationLevel('repeatable read') : tx).execute((trx) => readDeliveryStatus(trx, eventId));
}

async function readDeliveryStatus(db: Db, eventId: string): Promise<DeliveryStatus[]> {
  const rows = await db.selectFrom('event_deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('event_delivery_attempts')
    .selectAll()
    .where('delivery_id', 'in', rows.map((r) => r.id))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: n(r.id),
    eventId: r.event_id,
    sinkSid: r.sink_sid,
    state: r.state as DeliveryState,
    attempts: n(r.attempts),
    nextAttemptAt: n(r.next_attempt_at),
    history: attempts
      .filter((a) => n(a.delivery_id) === n(r.id))
      .map((a) => ({
        deliveryId: n(a.delivery_id),
        sinkSid: a.sink_sid,
        attemptedAt: n(a.attempted_at),
        // Every failed attempt carries an error (an HTTP status alone is recorded as one too).
        ok: a.error === null,
        statusCode: a.status_code === null ? null : n(a.status_code),
        error: a.error,
        latencyMs: n(a.latency_ms),
      })),
  }));
}

export async function purgeEvents(db: Db, before: number, limit: number): Promise<number> {
  const doomed = db
    .selectFrom('events')
    .select('id')
    .where('date_created', '<', before)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('event_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.event_id', '=', 'events.id').where('d.state', '=', PENDING))))
    .limit(limit);
  const res = await db.deleteFrom('events').where('id', 'in', doomed).executeTakeFirst();
  return Number(res.numDeletedRows);
}
