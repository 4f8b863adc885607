import { sql, type Kysely, type Selectable, type SelectQueryBuilder, type Transaction } from 'kysely';
import type { OutboxEvent } from '../domain/events/types.js';
import type { SentBy } from '../domain/ports/attempts.js';
import type { BucketCount, MeteredValue } from '../domain/ports/rate-limits.js';
import type { VerificationStore, VerificationTx } from '../domain/ports/verifications.js';
import type { SendJob } from '../domain/ports/send-jobs.js';
import type { AttemptStatus, CheckRecord, InboxMessage, SendAttempt, Service, SnaSession, StatusChange, Verification } from '../domain/types.js';
import { insertSend, sendsOf, setAttemptOutcome, setSendsDestination, updateSendStatus } from './attempts.js';
import { PENDING, num, type Db, type SqlDialect } from './dialect.js';
import { foldSql, unfoldedEmailSql } from './fold.js';
import { insertInboxMessage, setInboxDestination } from './inbox.js';
import { countRateLimitHits } from './rate-limits.js';
import { countPumpingStart } from './pumping.js';
import type { PumpingKeys } from '../domain/protection/pumping.js';
import { insertSendJob } from './send-jobs.js';
import { insertEvent, subscribedSinks, type CommitSignal } from './outbox.js';
import type { Database, VerificationsTable } from './schema.js';
import { serviceBySid } from './services.js';
import { insertSnaSession, latestSnaSession } from './sna.js';
import { translateViolations } from './violations.js';

const verificationFromRow = (r: Selectable<VerificationsTable>): Verification => ({
  sid: r.sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  to: r.to_addr,
  channel: r.channel as Verification['channel'],
  status: r.status as Verification['status'],
  codeLength: r.code_length,
  codeKeyId: r.code_key_id,
  codeSeed: r.code_seed,
  codeHash: r.code_hash,
  customCode: r.custom_code === 1,
  amount: r.amount,
  payee: r.payee,
  locale: r.locale,
  country: r.country,
  checkCount: r.check_count,
  sendCount: r.send_count,
  options: JSON.parse(r.options),
  lookup: r.lookup === null ? null : JSON.parse(r.lookup),
  expiresAt: num(r.expires_at),
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
});

const verificationToRow = (v: Verification): Selectable<VerificationsTable> => ({
  sid: v.sid,
  account_sid: v.accountSid,
  service_sid: v.serviceSid,
  to_addr: v.to,
  channel: v.channel,
  status: v.status,
  code_length: v.codeLength,
  code_key_id: v.codeKeyId,
  code_seed: v.codeSeed,
  code_hash: v.codeHash,
  custom_code: v.customCode ? 1 : 0,
  amount: v.amount,
  payee: v.payee,
  locale: v.locale,
  country: v.country,
  check_count: v.checkCount,
  send_count: v.sendCount,
  options: JSON.stringify(v.options),
  lookup: v.lookup === null ? null : JSON.stringify(v.lookup),
  expires_at: v.expiresAt,
  date_created: v.dateCreated,
  date_updated: v.dateUpdated,
});

async function checksOf(db: Db, verificationSid: string): Promise<CheckRecord[]> {
  const rows = await db.selectFrom('verification_checks').selectAll().where('verification_sid', '=', verificationSid).orderBy('id').execute();
  return rows.map((r) => ({ verificationSid: r.verification_sid, result: r.result as CheckRecord['result'], dateCreated: num(r.date_created) }));
}

async function pendingByTo(db: Db, serviceSid: string, to: string, lock: boolean): Promise<Verification | undefined> {
  let q = db.selectFrom('verifications').selectAll().where('service_sid', '=', serviceSid).where('to_addr', '=', to).where('status', '=', PENDING);
  if (lock) q = q.forUpdate();
  const r = await q.executeTakeFirst();
  return r && verificationFromRow(r);
}

export class SqlVerificationStore implements VerificationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    private readonly eventsCommitted: CommitSignal,
    private readonly sendsCommitted: CommitSignal,
  ) {}

  async transaction<T>(fn: (tx: VerificationTx) => Promise<T>): Promise<T> {
    let tx: SqlVerificationTx | undefined;
    const result = await translateViolations(() => this.db.transaction().execute((trx) => fn((tx = new SqlVerificationTx(trx, this.dialect)))));
    if (tx?.wroteEvents) this.eventsCommitted.fire();
    if (tx?.wroteSendJobs) this.sendsCommitted.fire();
    return result;
  }

  async getVerification(serviceSid: string, sid: string): Promise<Verification | undefined> {
    const r = await this.db.selectFrom('verifications').selectAll().where('sid', '=', sid).where('service_sid', '=', serviceSid).executeTakeFirst();
    return r && verificationFromRow(r);
  }

  getPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined> {
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
      dateCreated: num(r.date_created),
    }));
  }

  updateSendStatus(sid: string, messageStatus: string, errorCode: number | null, at: number, provider: SentBy | null = null): Promise<void> {
    return updateSendStatus(this.db, sid, messageStatus, errorCode, at, provider);
  }

  /**
   * Finished verifications created before `before` whose attempts are gone, and with them (ON DELETE
   * CASCADE) their checks, status history, SNA sessions and inbox messages: the destination and the
   * inbox's plain code leave the database with the attempts.
   */
  async purgeVerifications(before: number, limit: number): Promise<number> {
    const doomed = this.db
      .selectFrom('verifications as v')
      .select('v.sid')
      .where('v.date_created', '<', before)
      .where('v.status', '<>', 'pending')
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('verification_sends as s').select('s.sid').whereRef('s.verification_sid', '=', 'v.sid'))))
      .limit(limit);
    const res = await this.db.deleteFrom('verifications').where('sid', 'in', doomed).executeTakeFirst();
    return Number(res.numDeletedRows);
  }
}

type PendingQuery = SelectQueryBuilder<Database, 'verifications', Selectable<VerificationsTable>>;

/** One transaction over a verification and everything written with it (see VerificationTx). */
class SqlVerificationTx implements VerificationTx {
  wroteEvents = false;
  wroteSendJobs = false;

  constructor(
    private readonly trx: Transaction<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async lockDue(now: number, limit: number): Promise<Verification[]> {
    let q = this.trx.selectFrom('verifications').selectAll().where('status', '=', PENDING).where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
    // Several nodes sweep at once on PostgreSQL: each takes rows the others have not locked.
    if (this.dialect.rowLocks) q = q.forUpdate().skipLocked();
    return (await q.execute()).map(verificationFromRow);
  }

  async lockBySid(serviceSid: string, sid: string): Promise<Verification | undefined> {
    let q = this.trx.selectFrom('verifications').selectAll().where('sid', '=', sid).where('service_sid', '=', serviceSid);
    if (this.dialect.rowLocks) q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && verificationFromRow(r);
  }

  lockPendingByTo(serviceSid: string, to: string): Promise<Verification | undefined> {
    return pendingByTo(this.trx, serviceSid, to, this.dialect.rowLocks);
  }

  lockUnfoldedPending(): Promise<Verification[]> {
    return this.lockPending((q) => q.where(sql.raw<boolean>(unfoldedEmailSql(this.dialect.name, 'to_addr'))));
  }

  lockPendingCaseVariants(serviceSid: string, folded: string): Promise<Verification[]> {
    return this.lockPending((q) => q.where('service_sid', '=', serviceSid).where(sql<boolean>`${sql.raw(foldSql(this.dialect.name, 'to_addr'))} = ${folded}`));
  }

  private async lockPending(narrow: (q: PendingQuery) => PendingQuery): Promise<Verification[]> {
    let q = narrow(this.trx.selectFrom('verifications').selectAll().where('status', '=', PENDING)).orderBy('date_created').orderBy('sid');
    if (this.dialect.rowLocks) q = q.forUpdate();
    return (await q.execute()).map(verificationFromRow);
  }

  async setDestination(verificationSid: string, to: string): Promise<void> {
    await this.trx.updateTable('verifications').set({ to_addr: to }).where('sid', '=', verificationSid).execute();
    await setSendsDestination(this.trx, verificationSid, to);
    await setInboxDestination(this.trx, verificationSid, to);
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
    // No lookup is the column's default (NULL): left out, the insert also fits a schema from before
    // migration 011, which the migration tests write through this code.
    const { lookup, ...row } = verificationToRow(v);
    await this.trx.insertInto('verifications').values(lookup === null ? row : { ...row, lookup }).execute();
  }

  async updateVerification(v: Verification): Promise<void> {
    const { sid: _sid, account_sid: _a, service_sid: _s, to_addr: _t, date_created: _d, ...mutable } = verificationToRow(v);
    await this.trx.updateTable('verifications').set(mutable).where('sid', '=', v.sid).execute();
  }

  insertSend(s: SendAttempt): Promise<void> {
    return insertSend(this.trx, s);
  }

  async insertSendJob(job: SendJob): Promise<void> {
    await insertSendJob(this.trx, this.dialect, job);
    this.wroteSendJobs = true;
  }

  updateSendStatus(sid: string, messageStatus: string, errorCode: number | null, at: number): Promise<void> {
    return updateSendStatus(this.trx, sid, messageStatus, errorCode, at);
  }

  insertInboxMessage(m: InboxMessage): Promise<void> {
    return insertInboxMessage(this.trx, m);
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

  insertSnaSession(s: SnaSession): Promise<void> {
    return insertSnaSession(this.trx, s);
  }

  latestSnaSession(verificationSid: string): Promise<SnaSession | undefined> {
    return latestSnaSession(this.trx, verificationSid);
  }

  setAttemptOutcome(verificationSid: string, outcome: { converted: boolean; status: AttemptStatus }, at: number): Promise<void> {
    return setAttemptOutcome(this.trx, verificationSid, outcome, at);
  }

  subscribedSinks(accountSid: string, type: string): Promise<string[]> {
    return subscribedSinks(this.trx, this.dialect, accountSid, type);
  }

  async insertEvent(event: OutboxEvent, sinkSids: string[]): Promise<void> {
    await insertEvent(this.trx, this.dialect, event, sinkSids);
    this.wroteEvents = true;
  }

  listSends(verificationSid: string): Promise<SendAttempt[]> {
    return sendsOf(this.trx, verificationSid);
  }

  listChecks(verificationSid: string): Promise<CheckRecord[]> {
    return checksOf(this.trx, verificationSid);
  }

  getService(serviceSid: string): Promise<Service | undefined> {
    return serviceBySid(this.trx, serviceSid);
  }

  countRateLimitHits(serviceSid: string, values: MeteredValue[], now: number): Promise<{ unknown: string[]; counts: BucketCount[] }> {
    return countRateLimitHits(this.trx, this.dialect, serviceSid, values, now);
  }

  countPumpingStart(serviceSid: string, keys: PumpingKeys, now: number): Promise<void> {
    return countPumpingStart(this.trx, this.dialect, serviceSid, keys, true, now);
  }
}
