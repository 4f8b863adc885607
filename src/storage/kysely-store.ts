import { Kysely, Migrator, sql, type Transaction } from 'kysely';
import {
  MissingParent,
  UniqueViolation,
  type AttemptFilter,
  type AttemptTotals,
  type Cursor,
  type InboxFilter,
  type PageQuery,
  type Store,
  type SummaryFilter,
  type VerificationTx,
} from '../domain/ports.js';
import type { Settlement } from '../domain/events/ports.js';
import type { ClaimedDelivery, DeliveryStatus, OutboxEvent, Sink, SinkStatus, SubscribedEvent, Subscription } from '../domain/events/types.js';
import type {
  Account,
  ApiKey,
  AttemptStatus,
  CheckRecord,
  InboxMessage,
  SendAttempt,
  Service,
  SnaSession,
  StatusChange,
  Verification,
} from '../domain/types.js';
import {
  inboxFromRow,
  sendFromRow,
  sendToRow,
  serviceFromRow,
  serviceToRow,
  snaFromRow,
  verificationFromRow,
  verificationToRow,
} from './mappers.js';
import * as attempts from './attempt-queries.js';
import * as events from './event-queries.js';
import { listPage } from './keyset.js';
import { migrationProvider, type Dialect } from './migrations/index.js';
import type { Database } from './schema.js';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * 'pending' as a literal in the SQL text, not a bound parameter: SQLite can then match the partial
 * indexes (WHERE status = 'pending') when it prepares the statement, instead of re-planning on
 * every execution to see whether the bound value fits the index.
 */
const PENDING = sql.lit('pending');

/**
 * The one Store implementation; the dialect only changes row locking (FOR UPDATE on PostgreSQL,
 * where transactions run concurrently; SQLite has one connection and serialises transactions) and
 * how unique violations are recognised.
 */
export class KyselyStore implements Store {
  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  /**
   * SQLite plans without statistics unless ANALYZE ran; `PRAGMA optimize` gathers them where they
   * are missing or stale (bounded by analysis_limit), so e.g. a VerificationSid filter picks
   * sends_by_verification instead of reading a whole account (453 ms -> 0.13 ms at 1M rows).
   */
  async optimize(): Promise<void> {
    if (this.dialect !== 'sqlite') return;
    await sql`PRAGMA analysis_limit = 1000`.execute(this.db);
    await sql`PRAGMA optimize`.execute(this.db);
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider(this.dialect),
      migrationTableName: 'verifyd_migrations',
      migrationLockTableName: 'verifyd_migrations_lock',
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }

  async insertAccount(a: Account): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({ sid: a.sid, auth_token: a.authToken, friendly_name: a.friendlyName, date_created: a.dateCreated })
      .execute();
  }

  async getAccount(sid: string): Promise<Account | undefined> {
    const r = await this.db.selectFrom('accounts').selectAll().where('sid', '=', sid).executeTakeFirst();
    return r && { sid: r.sid, authToken: r.auth_token, friendlyName: r.friendly_name, dateCreated: Number(r.date_created) };
  }

  async countAccounts(): Promise<number> {
    const r = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async insertApiKey(k: ApiKey): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ sid: k.sid, account_sid: k.accountSid, secret_hash: k.secretHash, friendly_name: k.friendlyName, date_created: k.dateCreated })
      .execute();
  }

  async getApiKey(sid: string): Promise<ApiKey | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('sid', '=', sid).executeTakeFirst();
    return r && { sid: r.sid, accountSid: r.account_sid, secretHash: r.secret_hash, friendlyName: r.friendly_name, dateCreated: Number(r.date_created) };
  }

  async insertService(s: Service): Promise<void> {
    await this.db.insertInto('services').values(serviceToRow(s)).execute();
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
      if (this.dialect === 'postgres') q = q.forUpdate();
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

  async transaction<T>(fn: (tx: VerificationTx) => Promise<T>): Promise<T> {
    let tx: KyselyVerificationTx | undefined;
    const result = await translateViolations(() =>
      this.db.transaction().execute((trx) => fn((tx = new KyselyVerificationTx(trx, this.dialect)))),
    );
    if (tx?.wroteEvents) this.onEvents();
    return result;
  }

  async getVerification(serviceSid: string, sid: string): Promise<Verification | undefined> {
    const r = await this.db.selectFrom('verifications').selectAll().where('sid', '=', sid).where('service_sid', '=', serviceSid).executeTakeFirst();
    return r && verificationFromRow(r);
  }

  async getPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined> {
    return pendingByTo(this.db, serviceSid, to, false);
  }

  listSends(verificationSid: string): Promise<SendAttempt[]> {
    return sendsOf(this.db, verificationSid);
  }

  listChecks(verificationSid: string): Promise<CheckRecord[]> {
    return checksOf(this.db, verificationSid);
  }

  async listStatusChanges(verificationSid: string): Promise<StatusChange[]> {
    const rows = await this.db.selectFrom('verification_status_changes').selectAll().where('verification_sid', '=', verificationSid).orderBy('id').execute();
    return rows.map((r) => ({
      verificationSid: r.verification_sid,
      accountSid: r.account_sid,
      serviceSid: r.service_sid,
      fromStatus: r.from_status as StatusChange['fromStatus'],
      toStatus: r.to_status as StatusChange['toStatus'],
      cause: r.cause as StatusChange['cause'],
      dateCreated: Number(r.date_created),
    }));
  }

  async updateSendStatus(sid: string, messageStatus: string, errorCode: number | null, at: number): Promise<void> {
    await this.db.updateTable('verification_sends').set({ message_status: messageStatus, error_code: errorCode, date_updated: at }).where('sid', '=', sid).execute();
  }

  listAttempts(accountSid: string, filter: AttemptFilter, page: PageQuery): Promise<SendAttempt[]> {
    return attempts.listAttempts(this.db, accountSid, filter, page);
  }

  getAttempt(accountSid: string, sid: string): Promise<SendAttempt | undefined> {
    return attempts.getAttempt(this.db, accountSid, sid);
  }

  summarizeAttempts(accountSid: string, filter: SummaryFilter): Promise<AttemptTotals> {
    return attempts.summarizeAttempts(this.db, accountSid, filter);
  }

  purgeAttempts(before: number, limit: number): Promise<number> {
    return attempts.purgeAttempts(this.db, before, limit);
  }

  purgeVerifications(before: number, limit: number): Promise<number> {
    return attempts.purgeVerifications(this.db, before, limit);
  }

  hitRateCounter(bucket: string, windowStart: number): Promise<number> {
    return attempts.hitRateCounter(this.db, bucket, windowStart);
  }

  purgeRateCounters(before: number): Promise<void> {
    return attempts.purgeRateCounters(this.db, before);
  }

  async findSnaSession(tokenHash: string): Promise<SnaSession | undefined> {
    const r = await this.db.selectFrom('sna_sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    return r && snaFromRow(r);
  }

  async useSnaSession(tokenHash: string, now: number, clientTokenHash: string | null): Promise<boolean> {
    // One guarded UPDATE: of two simultaneous invocations only one sees a row change.
    const res = await this.db
      .updateTable('sna_sessions')
      .set({ used_at: now, client_token_hash: clientTokenHash })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async insertInboxMessage(m: InboxMessage): Promise<void> {
    await translateViolations(() => this.insertInbox(m));
  }

  private async insertInbox(m: InboxMessage): Promise<void> {
    await this.db
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

  async listInboxMessages(accountSid: string, filter: InboxFilter, limit: number): Promise<InboxMessage[]> {
    let q = this.db.selectFrom('inbox_messages').selectAll().where('account_sid', '=', accountSid);
    if (filter.to !== undefined) q = q.where('to_addr', '=', filter.to);
    if (filter.channel !== undefined) q = q.where('channel', '=', filter.channel);
    if (filter.serviceSid !== undefined) q = q.where('service_sid', '=', filter.serviceSid);
    const rows = await q.orderBy('id', 'desc').limit(limit).execute();
    return rows.map(inboxFromRow);
  }

  // ------------------------------------------------------------ event streams

  insertSink(s: Sink): Promise<void> {
    return events.insertSink(this.db, s);
  }

  getSink(accountSid: string, sid: string): Promise<Sink | undefined> {
    return events.getSink(this.db, accountSid, sid);
  }

  listSinks(accountSid: string, filter: { inUse?: boolean; status?: SinkStatus }, page: PageQuery): Promise<Sink[]> {
    return events.listSinks(this.db, accountSid, filter, page);
  }

  updateSinkDescription(accountSid: string, sid: string, description: string, at: number): Promise<Sink | undefined> {
    return events.updateSinkDescription(this.db, accountSid, sid, description, at);
  }

  deleteSink(accountSid: string, sid: string): Promise<boolean> {
    return events.deleteSink(this.db, this.dialect === 'postgres', accountSid, sid);
  }

  insertSubscription(s: Subscription, types: SubscribedEvent[]): Promise<void> {
    return translateViolations(() => events.insertSubscription(this.db, s, types));
  }

  getSubscription(accountSid: string, sid: string): Promise<Subscription | undefined> {
    return events.getSubscription(this.db, accountSid, sid);
  }

  listSubscriptions(accountSid: string, filter: { sinkSid?: string }, page: PageQuery): Promise<Subscription[]> {
    return events.listSubscriptions(this.db, accountSid, filter, page);
  }

  updateSubscriptionDescription(accountSid: string, sid: string, description: string, at: number): Promise<Subscription | undefined> {
    return events.updateSubscriptionDescription(this.db, accountSid, sid, description, at);
  }

  deleteSubscription(accountSid: string, sid: string): Promise<boolean> {
    return events.deleteSubscription(this.db, accountSid, sid);
  }

  listSubscribedEvents(accountSid: string, subscriptionSid: string, page: { afterType?: string; offset: number; limit: number }): Promise<SubscribedEvent[]> {
    return events.listSubscribedEvents(this.db, accountSid, subscriptionSid, page);
  }

  getSubscribedEvent(accountSid: string, subscriptionSid: string, type: string): Promise<SubscribedEvent | undefined> {
    return events.getSubscribedEvent(this.db, accountSid, subscriptionSid, type);
  }

  putSubscribedEvent(e: SubscribedEvent): Promise<boolean> {
    return translateViolations(() => events.putSubscribedEvent(this.db, e));
  }

  deleteSubscribedEvent(accountSid: string, subscriptionSid: string, type: string): Promise<boolean> {
    return events.deleteSubscribedEvent(this.db, accountSid, subscriptionSid, type);
  }

  async enqueueEvent(event: OutboxEvent, sinkSids: string[]): Promise<void> {
    await translateViolations(() => this.db.transaction().execute((trx) => events.insertEvent(trx, event, sinkSids, this.dialect === 'postgres')));
    this.onEvents();
  }

  findTestEvent(accountSid: string, sinkSid: string, testId: string): Promise<OutboxEvent | undefined> {
    return events.findTestEvent(this.db, accountSid, sinkSid, testId);
  }

  claimDeliveries(now: number, leaseUntil: number, limit: number, skipSinks?: string[]): Promise<ClaimedDelivery[]> {
    return events.claimDeliveries(this.db, this.dialect === 'postgres', now, leaseUntil, limit, skipSinks);
  }

  settleDeliveries(items: Settlement[]): Promise<void> {
    return events.settleDeliveries(this.db, this.dialect === 'postgres', items);
  }

  releaseDeliveries(ids: number[], claim: string, now: number): Promise<void> {
    return events.releaseDeliveries(this.db, ids, claim, now);
  }

  deliveryStatus(eventId: string): Promise<DeliveryStatus[]> {
    return events.deliveryStatus(this.db, this.dialect === 'postgres', eventId);
  }

  purgeEvents(before: number, limit: number): Promise<number> {
    return events.purgeEvents(this.db, before, limit);
  }

  /** Set by openStore on PostgreSQL: a dedicated LISTEN connection (see EventStore.watchOutbox). */
  watchOutbox?: (onCommit: () => void) => Promise<{ close(): Promise<void> }>;

  /** Called after a commit that wrote events, so an in-process dispatcher can deliver at once. */
  onEvents: () => void = () => undefined;
}

async function sendsOf(db: Db, verificationSid: string): Promise<SendAttempt[]> {
  const rows = await db.selectFrom('verification_sends').selectAll().where('verification_sid', '=', verificationSid).orderBy('attempt_number').execute();
  return rows.map(sendFromRow);
}

async function checksOf(db: Db, verificationSid: string): Promise<CheckRecord[]> {
  const rows = await db.selectFrom('verification_checks').selectAll().where('verification_sid', '=', verificationSid).orderBy('id').execute();
  return rows.map((r) => ({ verificationSid: r.verification_sid, result: r.result as CheckRecord['result'], dateCreated: Number(r.date_created) }));
}

async function pendingByTo(db: Db, serviceSid: string, to: string, lock: boolean): Promise<Verification | undefined> {
  let q = db.selectFrom('verifications').selectAll().where('service_sid', '=', serviceSid).where('to_addr', '=', to).where('status', '=', PENDING);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && verificationFromRow(r);
}

class KyselyVerificationTx implements VerificationTx {
  private readonly lock: boolean;
  constructor(
    private readonly trx: Transaction<Database>,
    dialect: Dialect,
  ) {
    this.lock = dialect === 'postgres';
  }

  async lockDue(now: number, limit: number): Promise<Verification[]> {
    let q = this.trx.selectFrom('verifications').selectAll().where('status', '=', PENDING).where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
    // Several nodes sweep at once on PostgreSQL: each takes rows the others have not locked.
    if (this.lock) q = q.forUpdate().skipLocked();
    return (await q.execute()).map(verificationFromRow);
  }

  async lockBySid(serviceSid: string, sid: string): Promise<Verification | undefined> {
    let q = this.trx.selectFrom('verifications').selectAll().where('sid', '=', sid).where('service_sid', '=', serviceSid);
    if (this.lock) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && verificationFromRow(r);
  }

  lockPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined> {
    return pendingByTo(this.trx, serviceSid, to, this.lock);
  }

  async lockedOutUntil(serviceSid: string, to: string, now: number): Promise<number | undefined> {
    const r = await this.trx
      .selectFrom('verifications')
      .select((eb) => eb.fn.max('expires_at').as('until'))
      .where('service_sid', '=', serviceSid)
      .where('to_addr', '=', to)
      .where('status', '=', sql.lit('max_attempts_reached'))
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r?.until == null ? undefined : Number(r.until);
  }

  async insertVerification(v: Verification): Promise<void> {
    await this.trx.insertInto('verifications').values(verificationToRow(v)).execute();
  }

  async updateVerification(v: Verification): Promise<void> {
    const { sid: _sid, account_sid: _a, service_sid: _s, to_addr: _t, date_created: _d, ...mutable } = verificationToRow(v);
    await this.trx.updateTable('verifications').set(mutable).where('sid', '=', v.sid).execute();
  }

  /** Numbers the attempt after the verification's previous ones; callers hold the verification's lock. */
  async insertSend(s: SendAttempt): Promise<void> {
    await this.trx
      .insertInto('verification_sends')
      .values((eb) => ({
        ...sendToRow(s),
        attempt_number: eb
          .selectFrom('verification_sends')
          .select(sql<number>`coalesce(max(attempt_number), 0) + 1`.as('n'))
          .where('verification_sid', '=', s.verificationSid)
          .$castTo<number>(),
      }))
      .execute();
  }

  async insertCheck(c: CheckRecord): Promise<void> {
    await this.trx.insertInto('verification_checks').values({ verification_sid: c.verificationSid, result: c.result, date_created: c.dateCreated }).execute();
  }

  async insertStatusChange(c: StatusChange): Promise<void> {
    await this.trx
      .insertInto('verification_status_changes')
      .values({
        verification_sid: c.verificationSid,
        account_sid: c.accountSid,
        service_sid: c.serviceSid,
        from_status: c.fromStatus,
        to_status: c.toStatus,
        cause: c.cause,
        date_created: c.dateCreated,
      })
      .execute();
  }

  async insertSnaSession(s: SnaSession): Promise<void> {
    await this.trx
      .insertInto('sna_sessions')
      .values({ token_hash: s.tokenHash, verification_sid: s.verificationSid, attempt_sid: s.attemptSid, expires_at: s.expiresAt, used_at: s.usedAt, client_token_hash: s.clientTokenHash })
      .execute();
  }

  setAttemptOutcome(verificationSid: string, outcome: { converted: boolean; status: AttemptStatus }, at: number): Promise<void> {
    return attempts.setAttemptOutcome(this.trx, verificationSid, outcome, at);
  }

  wroteEvents = false;

  subscribedSinks(accountSid: string, type: string): Promise<string[]> {
    return events.subscribedSinks(this.trx, this.lock, accountSid, type);
  }

  async insertEvent(event: OutboxEvent, sinkSids: string[]): Promise<void> {
    // Only PostgreSQL (where this.lock is set) has other processes to tell.
    await events.insertEvent(this.trx, event, sinkSids, this.lock);
    this.wroteEvents = true;
  }

  listSends(verificationSid: string): Promise<SendAttempt[]> {
    return sendsOf(this.trx, verificationSid);
  }

  listChecks(verificationSid: string): Promise<CheckRecord[]> {
    return checksOf(this.trx, verificationSid);
  }

  async getService(serviceSid: string): Promise<Service | undefined> {
    const r = await this.trx.selectFrom('services').selectAll().where('sid', '=', serviceSid).executeTakeFirst();
    return r && serviceFromRow(r);
  }

  async latestSnaSession(verificationSid: string): Promise<SnaSession | undefined> {
    const r = await this.trx.selectFrom('sna_sessions').selectAll().where('verification_sid', '=', verificationSid).orderBy('expires_at', 'desc').limit(1).executeTakeFirst();
    return r && snaFromRow(r);
  }
}

/** Turns the drivers' constraint errors into the domain's UniqueViolation and MissingParent. */
async function translateViolations<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isUniqueViolation(err)) throw new UniqueViolation(String((err as Error).message));
    if (isForeignKeyViolation(err)) throw new MissingParent(String((err as Error).message));
    throw err;
  }
}

function isForeignKeyViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
