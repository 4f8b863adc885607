import { randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { ClaimLeave, OutboxStore, Settlement } from '../domain/events/ports.js';
import type { ClaimedDelivery, DeliveryState, DeliveryStatus, OutboxEvent } from '../domain/events/types.js';
import { PENDING, num as n, type Db, type SqlDialect } from './dialect.js';
import type { Database, EventsTable } from './schema.js';
import { sinkFromRow } from './sinks.js';
import { translateViolations } from './violations.js';

const eventFromRow = (r: Selectable<EventsTable>): OutboxEvent => ({
  id: r.id,
  accountSid: r.account_sid,
  type: r.type,
  partitionKey: r.partition_key,
  payload: JSON.parse(r.payload),
  testId: r.test_id,
  dateCreated: n(r.date_created),
});

/**
 * Wakes this process's dispatcher after a commit that wrote events (set by the composition). Other
 * processes learn of commits through OutboxStore.watchOutbox (PostgreSQL) or their next poll.
 */
export class CommitSignal {
  private listener: () => void = () => undefined;
  listen(fn: () => void): void {
    this.listener = fn;
  }
  fire(): void {
    this.listener();
  }
}

export async function subscribedSinks(db: Db, dialect: SqlDialect, accountSid: string, type: string): Promise<string[]> {
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
  if (dialect.rowLocks) q = q.forKeyShare('k');
  const rows = await q.execute();
  return [...new Set(rows.map((r) => r.sid))];
}

/** The PostgreSQL channel dispatchers LISTEN on; a NOTIFY in a transaction is sent at its commit. */
export const OUTBOX_CHANNEL = 'verifyd_outbox';

/** Wakes every node's dispatchers (outbox-listener.ts) when `db`'s transaction commits: new work is due. */
export async function notifyOutbox(db: Db, dialect: SqlDialect): Promise<void> {
  if (dialect.notify) await sql`SELECT pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
}

export async function insertEvent(db: Db, dialect: SqlDialect, e: OutboxEvent, sinkSids: string[]): Promise<void> {
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
  await notifyOutbox(db, dialect);
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

/** Rounds of the claim's search past accounts at their cap (each round skips the accounts the last one filled). */
const FAIR_ROUNDS = 4;

/**
 * The due deliveries a claim takes: oldest first, none to the sinks left alone, and none for an
 * account past its room (perAccount less what it holds). Rows of full accounts are skipped in SQL;
 * an account that fills up within a round is added to those and the search goes on past it, so a
 * tenant with a long backlog does not use up the claim. The rows read are locked (PostgreSQL) until
 * the claim commits; those not taken are left as they were.
 */
async function pickDue(db: Transaction<Database>, dialect: SqlDialect, now: number, limit: number, leave: ClaimLeave): Promise<number[]> {
  const cap = leave.perAccount ?? Infinity;
  const held = new Map(leave.held ?? []);
  const full = new Set([...held].filter(([, count]) => count >= cap).map(([account]) => account));
  const picked: number[] = [];
  for (let round = 0; round < FAIR_ROUNDS && picked.length < limit; round++) {
    const asked = limit - picked.length;
    let due = db
      .selectFrom('event_deliveries as d')
      .innerJoin('event_sinks as k', 'k.sid', 'd.sink_sid')
      .select(['d.id', 'k.account_sid'])
      .where('d.state', '=', PENDING)
      .where('d.next_attempt_at', '<=', now)
      .orderBy('d.next_attempt_at')
      .limit(asked);
    if (leave.sinks?.length) due = due.where('d.sink_sid', 'not in', leave.sinks);
    if (full.size > 0) due = due.where('k.account_sid', 'not in', [...full]);
    if (picked.length > 0) due = due.where('d.id', 'not in', picked);
    // Dispatchers on several nodes each take rows the others are not claiming at this moment.
    if (dialect.rowLocks) due = due.forUpdate(['d']).skipLocked();
    const rows = await due.execute();
    let passedOver = false;
    for (const r of rows) {
      const count = held.get(r.account_sid) ?? 0;
      if (count >= cap) {
        passedOver = true;
        continue;
      }
      picked.push(n(r.id));
      held.set(r.account_sid, count + 1);
      if (count + 1 >= cap) full.add(r.account_sid);
    }
    // Nothing passed over, or nothing left to find past it.
    if (!passedOver || rows.length < asked) break;
  }
  return picked;
}

async function claimIn(db: Transaction<Database>, dialect: SqlDialect, now: number, leaseUntil: number, limit: number, leave: ClaimLeave): Promise<ClaimedDelivery[]> {
  const claim = randomBytes(12).toString('hex');
  const due = await pickDue(db, dialect, now, limit, leave);
  if (due.length === 0) return [];
  const claimed = await db
    .updateTable('event_deliveries')
    .set({ claim, next_attempt_at: leaseUntil, date_updated: now })
    .where('id', 'in', due)
    .returning(['id', 'event_id', 'sink_sid', 'attempts'])
    .execute();
  if (claimed.length === 0) return [];
  const eventIds = [...new Set(claimed.map((c) => c.event_id))];
  const sinkSids = [...new Set(claimed.map((c) => c.sink_sid))];
  const events = await db.selectFrom('events').selectAll().where('id', 'in', eventIds).execute();
  const sinks = await db.selectFrom('event_sinks').selectAll().where('sid', 'in', sinkSids).execute();
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

export class SqlOutboxStore implements OutboxStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    private readonly committed: CommitSignal,
  ) {}

  /** Set where the database can tell other processes of commits (PostgreSQL LISTEN). */
  watchOutbox?: (onCommit: () => void) => Promise<{ close(): Promise<void> }>;

  async enqueueEvent(event: OutboxEvent, sinkSids: string[]): Promise<void> {
    await translateViolations(() => this.db.transaction().execute((trx) => insertEvent(trx, this.dialect, event, sinkSids)));
    this.committed.fire();
  }

  async findTestEvent(accountSid: string, sinkSid: string, testId: string): Promise<OutboxEvent | undefined> {
    const r = await this.db
      .selectFrom('events')
      .selectAll('events')
      .where('events.account_sid', '=', accountSid)
      .where('events.test_id', '=', testId)
      .where((eb) => eb.exists(eb.selectFrom('event_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.event_id', '=', 'events.id').where('d.sink_sid', '=', sinkSid)))
      .executeTakeFirst();
    return r && eventFromRow(r);
  }

  /**
   * One transaction for the claim and the reads that complete it: if the connection is lost in
   * between, the claim is rolled back rather than left leased to a dispatcher that never learnt of it.
   */
  claimDeliveries(now: number, leaseUntil: number, limit: number, leave: ClaimLeave = {}): Promise<ClaimedDelivery[]> {
    return this.db.transaction().execute((trx) => claimIn(trx, this.dialect, now, leaseUntil, limit, leave));
  }

  /**
   * Settles a batch: every attempt recorded, every delivery whose claim is still current moved on.
   * The common case takes a few statements for the whole batch; if that fails (a delivery deleted
   * with its sink meanwhile fails the attempt insert's foreign key), each is settled on its own.
   */
  async settleDeliveries(items: Settlement[]): Promise<void> {
    if (items.length === 0) return;
    // In id order, as deleteSink locks them, so the two never wait on each other in a cycle.
    const ordered = [...items].sort((a, b) => a.delivery.id - b.delivery.id);
    try {
      await this.db.transaction().execute((trx) => settleTogether(trx, ordered));
    } catch {
      await this.db.transaction().execute((trx) => settleOneByOne(trx, this.dialect.rowLocks, ordered));
    }
  }

  /**
   * Extends the leases of `held` deliveries still under their claim (pending, token unchanged) to
   * `leaseUntil`, in one statement by primary key; returns the ids renewed. A delivery another
   * dispatcher took over carries another token and is left alone. On PostgreSQL the rows are
   * locked in id order, as settlements and sink deletions lock them.
   */
  async renewLeases(held: Array<Pick<ClaimedDelivery, 'id' | 'claim'>>, now: number, leaseUntil: number): Promise<number[]> {
    if (held.length === 0) return [];
    let mine = this.db
      .selectFrom('event_deliveries')
      .select('id')
      .where('id', 'in', held.map((d) => d.id))
      .where('claim', 'in', [...new Set(held.map((d) => d.claim))])
      .where('state', '=', PENDING);
    if (this.dialect.rowLocks) mine = mine.orderBy('id').forUpdate();
    const rows = await this.db
      .updateTable('event_deliveries')
      .set({ next_attempt_at: leaseUntil, date_updated: now })
      .where('id', 'in', mine)
      .returning('id')
      .execute();
    return rows.map((r) => n(r.id));
  }

  /** Gives unsent claims back at once (due now), rather than leaving them to lapse with their lease. */
  async releaseDeliveries(ids: number[], claim: string, now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('event_deliveries')
      .set({ claim: null, next_attempt_at: now, date_updated: now })
      .where('id', 'in', ids)
      .where('claim', '=', claim)
      .where('state', '=', PENDING)
      .execute();
  }

  /** One snapshot for both reads, so a row is never shown beside attempts recorded after it was read. */
  deliveryStatus(eventId: string): Promise<DeliveryStatus[]> {
    const tx = this.db.transaction();
    return (this.dialect.repeatableRead ? tx.setIsolationLevel('repeatable read') : tx).execute((trx) => readDeliveryStatus(trx, eventId));
  }

  async purgeEvents(before: number, limit: number): Promise<number> {
    const doomed = this.db
      .selectFrom('events')
      .select('id')
      .where('date_created', '<', before)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('event_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.event_id', '=', 'events.id').where('d.state', '=', PENDING))))
      .limit(limit);
    const res = await this.db.deleteFrom('events').where('id', 'in', doomed).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}
