import { sql, type ExpressionBuilder, type Kysely, type Selectable, type UpdateObject } from 'kysely';
import { precedingStatuses } from '../domain/attempts/receipts.js';
import type { AttemptFilter, AttemptStore, AttemptTotals, SentBy, SummaryFilter } from '../domain/ports/attempts.js';
import type { PageQuery } from '../domain/ports/paging.js';
import type { AttemptStatus, Price, SendAttempt, SendTry } from '../domain/types.js';
import { PENDING, num, type Db, type SqlDialect } from './dialect.js';
import { notifyOutbox, type CommitSignal } from './outbox.js';
import { listPage } from './keyset.js';
import type { Database, SendsTable } from './schema.js';

// An attempt is a row of verification_sends: written by a start (VerificationTx), read here.

export const sendFromRow = (r: Selectable<SendsTable>): SendAttempt => ({
  sid: r.sid,
  verificationSid: r.verification_sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  channel: r.channel as SendAttempt['channel'],
  to: r.to_addr,
  locale: r.locale,
  country: r.country,
  codeLength: r.code_length,
  messageStatus: r.message_status,
  errorCode: r.error_code,
  dateCreated: num(r.date_created),
  dateUpdated: num(r.date_updated),
  converted: Number(r.converted) === 1,
  attemptStatus: r.attempt_status as SendAttempt['attemptStatus'],
  price: r.price_value === null ? null : { value: r.price_value, currency: r.price_currency ?? '' },
  mcc: r.mcc,
  mnc: r.mnc,
  carrier: r.carrier,
  provider: r.provider_name,
  tries: r.tries === null ? [] : (JSON.parse(r.tries) as SendTry[]),
});

const sendToRow = (s: SendAttempt): Omit<Selectable<SendsTable>, 'attempt_number' | 'provider_name' | 'provider_message_id' | 'tries'> & { converted: number; attempt_status: string } => ({
  sid: s.sid,
  verification_sid: s.verificationSid,
  account_sid: s.accountSid,
  service_sid: s.serviceSid,
  channel: s.channel,
  to_addr: s.to,
  locale: s.locale,
  country: s.country,
  code_length: s.codeLength,
  message_status: s.messageStatus,
  error_code: s.errorCode,
  date_created: s.dateCreated,
  date_updated: s.dateUpdated,
  converted: s.converted ? 1 : 0,
  attempt_status: s.attemptStatus,
  price_value: s.price?.value ?? null,
  price_currency: s.price?.currency ?? null,
  mcc: s.mcc,
  mnc: s.mnc,
  carrier: s.carrier,
});

/** Numbers the attempt after the verification's previous ones; callers hold the verification's lock. */
export async function insertSend(db: Db, s: SendAttempt): Promise<void> {
  await db
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

export async function sendsOf(db: Db, verificationSid: string): Promise<SendAttempt[]> {
  const rows = await db.selectFrom('verification_sends').selectAll().where('verification_sid', '=', verificationSid).orderBy('attempt_number').execute();
  return rows.map(sendFromRow);
}

export async function setSendsDestination(db: Db, verificationSid: string, to: string): Promise<void> {
  await db.updateTable('verification_sends').set({ to_addr: to }).where('verification_sid', '=', verificationSid).execute();
}

export async function updateSendStatus(db: Db, sid: string, messageStatus: string, errorCode: number | null, at: number, provider: SentBy | null = null): Promise<void> {
  await db
    .updateTable('verification_sends')
    .set({
      message_status: messageStatus,
      error_code: errorCode,
      date_updated: at,
      ...(provider && { provider_name: provider.name, provider_message_id: provider.messageId }),
    })
    .where('sid', '=', sid)
    .execute();
}

/**
 * The send dispatcher's record of a provider's answer, in one UPDATE of the attempt: the tries so
 * far, the price, the provider and its message id (what its receipts will name), and the status
 * with its error code, which move only forward (precedingStatuses), since a fast receipt may have
 * moved the attempt already. Every SET reads the row as it was, so the status's condition holds
 * for all three of its columns.
 */
export async function recordSendOutcome(
  db: Db,
  sid: string,
  update: { status: string; errorCode: number | null; providerName: string | null; providerMessageId: string | null; price?: Price | null } | null,
  at: number,
  tries?: string,
): Promise<void> {
  const before = update ? precedingStatuses(update.status) : [];
  const statusMoves = (eb: ExpressionBuilder<Database, 'verification_sends'>) => eb('message_status', 'in', before);
  const set: UpdateObject<Database, 'verification_sends'> = {
    ...(tries === undefined ? {} : { tries }),
    ...(update?.price ? { price_value: update.price.value, price_currency: update.price.currency } : {}),
    ...(update && update.providerName !== null && update.providerMessageId !== null ? { provider_name: update.providerName, provider_message_id: update.providerMessageId } : {}),
  };
  if (update && before.length > 0) {
    set.message_status = (eb) => eb.case().when(statusMoves(eb)).then(update.status).else(eb.ref('message_status')).end();
    set.error_code = (eb) => eb.case().when(statusMoves(eb)).then(update.errorCode).else(eb.ref('error_code')).end();
    set.date_updated = (eb) => eb.case().when(statusMoves(eb)).then(at).else(eb.ref('date_updated')).end();
  }
  if (Object.keys(set).length === 0) return;
  await db.updateTable('verification_sends').set(set).where('sid', '=', sid).execute();
}

export async function setAttemptOutcome(db: Db, verificationSid: string, outcome: { converted: boolean; status: AttemptStatus }, at: number): Promise<void> {
  await db
    .updateTable('verification_sends')
    .set({ converted: outcome.converted ? 1 : 0, attempt_status: outcome.status, date_updated: at })
    .where('verification_sid', '=', verificationSid)
    .execute();
}

type Sends = ExpressionBuilder<Database, 'verification_sends'>;

/** The WHERE clause shared by the list and the summary; every filter is optional. */
function matching(eb: Sends, accountSid: string, f: AttemptFilter & SummaryFilter) {
  const terms = [eb('account_sid', '=', accountSid)];
  if (f.createdAfter !== undefined) terms.push(eb('date_created', '>=', f.createdAfter));
  if (f.createdBefore !== undefined) terms.push(eb('date_created', '<=', f.createdBefore));
  if (f.to !== undefined) terms.push(eb('to_addr', '=', f.to));
  if (f.country !== undefined) terms.push(eb('country', '=', f.country));
  if (f.channel !== undefined) terms.push(eb('channel', '=', f.channel));
  if (f.serviceSid !== undefined) terms.push(eb('service_sid', '=', f.serviceSid));
  if (f.verificationSid !== undefined) terms.push(eb('verification_sid', '=', f.verificationSid));
  if (f.converted !== undefined) terms.push(eb('converted', '=', f.converted ? 1 : 0));
  // A prefix as a range (prefix <= to < prefix with its last character incremented): unlike LIKE,
  // which SQLite cannot serve from an index, both databases walk the (account, to) index.
  if (f.destinationPrefix !== undefined && f.destinationPrefix !== '') {
    const p = f.destinationPrefix;
    const upper = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) + 1);
    terms.push(eb('to_addr', '>=', p), eb('to_addr', '<', upper));
  }
  return eb.and(terms);
}

export class SqlAttemptStore implements AttemptStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect?: SqlDialect,
    private readonly sendsCommitted?: CommitSignal,
  ) {}

  async failOverOnReceipt(providerName: string, providerMessageId: string, errorCode: number | null, at: number): Promise<boolean> {
    const requeued = await this.db.transaction().execute(async (trx) => {
      const job = await trx
        .selectFrom('send_jobs')
        .innerJoin('verification_sends', 'verification_sends.sid', 'send_jobs.attempt_sid')
        .select(['send_jobs.attempt_sid as sid', 'send_jobs.tries as tries'])
        .where('verification_sends.provider_name', '=', providerName)
        .where('verification_sends.provider_message_id', '=', providerMessageId)
        .where('send_jobs.state', '=', PENDING)
        .where('send_jobs.awaiting', '=', providerName)
        .where('send_jobs.claim', 'is', null)
        .executeTakeFirst();
      if (!job) return false;
      const tries = [...(job.tries === null ? [] : (JSON.parse(job.tries) as SendTry[])), { provider: providerName, result: 'failure_receipt', errorCode, at } satisfies SendTry];
      const res = await trx
        .updateTable('send_jobs')
        .set({ awaiting: null, next_attempt_at: at, tries: JSON.stringify(tries), date_updated: at })
        .where('attempt_sid', '=', job.sid)
        .where('awaiting', '=', providerName)
        .where('claim', 'is', null)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) return false;
      // The failed message's id goes: its later receipts find nothing; the next provider's will.
      await trx
        .updateTable('verification_sends')
        .set({ message_status: 'queued', error_code: null, provider_name: null, provider_message_id: null, tries: JSON.stringify(tries), date_updated: at })
        .where('sid', '=', job.sid)
        .execute();
      if (this.dialect) await notifyOutbox(trx, this.dialect);
      return true;
    });
    if (requeued) this.sendsCommitted?.fire();
    return requeued;
  }

  async endAwaitingSend(providerName: string, providerMessageId: string, at: number): Promise<void> {
    const attempt = this.db.selectFrom('verification_sends').select('sid').where('provider_name', '=', providerName).where('provider_message_id', '=', providerMessageId);
    await this.db
      .updateTable('send_jobs')
      .set({ state: 'sent', awaiting: null, sealed_code: null, seal_key_id: null, date_updated: at })
      .where('attempt_sid', 'in', attempt)
      .where('awaiting', '=', providerName)
      .where('state', '=', PENDING)
      .where('claim', 'is', null)
      .execute();
  }

  async listAttempts(accountSid: string, filter: AttemptFilter, page: PageQuery): Promise<SendAttempt[]> {
    const q = this.db.selectFrom('verification_sends').selectAll().where((eb) => matching(eb, accountSid, filter));
    // Newest first: a next page holds rows strictly older than the last row shown.
    return (await listPage(q, page, 'desc')).map(sendFromRow);
  }

  async getAttempt(accountSid: string, sid: string): Promise<SendAttempt | undefined> {
    const r = await this.db.selectFrom('verification_sends').selectAll().where('sid', '=', sid).where('account_sid', '=', accountSid).executeTakeFirst();
    return r && sendFromRow(r);
  }

  async summarizeAttempts(accountSid: string, filter: SummaryFilter): Promise<AttemptTotals> {
    const r = await this.db
      .selectFrom('verification_sends')
      .select((eb) => [eb.fn.countAll().as('total'), eb.fn.coalesce(eb.fn.sum<number>('converted'), eb.lit(0)).as('converted')])
      .where((eb) => matching(eb, accountSid, filter))
      .executeTakeFirstOrThrow();
    return { total: Number(r.total), converted: Number(r.converted) };
  }

  /**
   * One guarded statement: the row moves only from a status that precedes the new one, so receipts
   * arriving twice or out of order never move an attempt back (docs/delivery.md).
   */
  async updateDeliveryStatus(providerName: string, providerMessageId: string, status: string, errorCode: number | null, at: number): Promise<boolean> {
    const before = precedingStatuses(status);
    if (before.length === 0) return false;
    const res = await this.db
      .updateTable('verification_sends')
      .set({ message_status: status, error_code: errorCode, date_updated: at })
      .where('provider_name', '=', providerName)
      .where('provider_message_id', '=', providerMessageId)
      .where('message_status', 'in', before)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /**
   * Per account, so each delete walks (account_sid, date_created) in attempts_by_account instead of
   * scanning the whole table every minute (measured at 1M rows: 250 ms -> ~1 ms on PostgreSQL).
   */
  async purgeAttempts(before: number, limit: number): Promise<number> {
    const db = this.db;
    const accounts = await db.selectFrom('accounts').select('sid').execute();
    let total = 0;
    for (const { sid: accountSid } of accounts) {
      const doomed = db.selectFrom('verification_sends').select('sid').where('account_sid', '=', accountSid).where('date_created', '<', before).limit(limit - total);
      const res = await db.deleteFrom('verification_sends').where('sid', 'in', doomed).executeTakeFirst();
      total += Number(res.numDeletedRows);
      if (total >= limit) break;
    }
    return total;
  }
}
