import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { SendTry, Verification } from '../domain/types.js';
import type { ClaimedSendJob, SendJob, SendJobStatus, SendJobStore, SendSettlement } from '../domain/ports/send-jobs.js';
import { recordSendOutcome } from './attempts.js';
import { PENDING, num, type Db, type SqlDialect } from './dialect.js';
import { notifyOutbox } from './outbox.js';
import type { Database } from './schema.js';

/** Written in the start's transaction; the dispatchers' NOTIFY channel is the outbox's (one LISTEN serves both). */
export async function insertSendJob(db: Db, dialect: SqlDialect, job: SendJob): Promise<void> {
  await db
    .insertInto('send_jobs')
    .values({
      attempt_sid: job.attemptSid,
      verification_sid: job.verificationSid,
      channel: job.channel,
      state: 'pending',
      attempts: 0,
      next_attempt_at: job.dateCreated,
      claim: null,
      request: JSON.stringify(job.request),
      sealed_code: job.sealedCode?.sealed ?? null,
      seal_key_id: job.sealedCode?.keyId ?? null,
      last_error: null,
      date_created: job.dateCreated,
      date_updated: job.dateCreated,
    })
    .execute();
  await notifyOutbox(db, dialect);
}

async function claimIn(trx: Transaction<Database>, dialect: SqlDialect, now: number, leaseUntil: number, limit: number): Promise<ClaimedSendJob[]> {
  const claim = randomBytes(12).toString('hex');
  let due = trx.selectFrom('send_jobs').select('attempt_sid').where('state', '=', PENDING).where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit);
  // Dispatchers on several nodes each take jobs the others are not claiming at this moment.
  if (dialect.rowLocks) due = due.forUpdate().skipLocked();
  const claimed = await trx
    .updateTable('send_jobs')
    .set({ claim, next_attempt_at: leaseUntil, date_updated: now })
    .where('attempt_sid', 'in', due)
    .returningAll()
    .execute();
  if (claimed.length === 0) return [];
  const verifications = await trx
    .selectFrom('verifications')
    .select(['sid', 'status', 'expires_at', 'code_key_id', 'code_seed', 'code_length', 'custom_code'])
    .where('sid', 'in', [...new Set(claimed.map((c) => c.verification_sid))])
    .execute();
  const bySid = new Map(verifications.map((v) => [v.sid, v]));
  return claimed.map((c) => {
    const v = bySid.get(c.verification_sid);
    return {
      id: c.attempt_sid,
      attemptSid: c.attempt_sid,
      verificationSid: c.verification_sid,
      channel: c.channel as ClaimedSendJob['channel'],
      request: JSON.parse(c.request),
      sealedCode: c.sealed_code === null || c.seal_key_id === null ? null : { keyId: c.seal_key_id, sealed: c.sealed_code },
      dateCreated: num(c.date_created),
      claim,
      leaseUntil,
      attempts: num(c.attempts),
      tries: c.tries === null ? [] : (JSON.parse(c.tries) as SendTry[]),
      awaiting: c.awaiting,
      verification: v && {
        status: v.status as Verification['status'],
        expiresAt: num(v.expires_at),
        codeKeyId: v.code_key_id,
        codeSeed: v.code_seed,
        codeLength: v.code_length,
        customCode: Number(v.custom_code) === 1,
      },
    };
  });
}

/** Error text comes from providers: no control characters (PostgreSQL refuses NUL), bounded. */
const cleanError = (text: string): string => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 500);

async function settleIn(trx: Transaction<Database>, s: SendSettlement): Promise<boolean> {
  const ended = s.state !== 'pending';
  const res = await trx
    .updateTable('send_jobs')
    .set((eb) => ({
      state: s.state,
      attempts: s.tried ? eb('attempts', '+', 1) : eb.ref('attempts'),
      next_attempt_at: Math.round(s.nextAttemptAt),
      claim: null,
      last_error: s.error === null ? eb.ref('last_error') : cleanError(s.error),
      // The custom code is kept no longer than its job.
      ...(ended ? { sealed_code: null, seal_key_id: null } : {}),
      ...(s.tries ? { tries: JSON.stringify(s.tries) } : {}),
      awaiting: s.awaiting ?? null,
      date_updated: s.at,
    }))
    .where('attempt_sid', '=', s.job.id)
    .where('claim', '=', s.job.claim)
    .where('state', '=', PENDING)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  await recordSendOutcome(trx, s.job.id, s.attempt, s.at, s.tries ? JSON.stringify(s.tries) : undefined);
  return true;
}

export class SqlSendJobStore implements SendJobStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  watchSendJobs?: (onCommit: () => void) => Promise<{ close(): Promise<void> }>;

  /** One transaction for the claim and the read that completes it, as the outbox claims. */
  claimSendJobs(now: number, leaseUntil: number, limit: number): Promise<ClaimedSendJob[]> {
    return this.db.transaction().execute((trx) => claimIn(trx, this.dialect, now, leaseUntil, limit));
  }

  async renewSendLeases(held: Array<Pick<ClaimedSendJob, 'id' | 'claim'>>, now: number, leaseUntil: number): Promise<string[]> {
    if (held.length === 0) return [];
    const rows = await this.db
      .updateTable('send_jobs')
      .set({ next_attempt_at: leaseUntil, date_updated: now })
      .where('attempt_sid', 'in', held.map((j) => j.id))
      .where('claim', 'in', [...new Set(held.map((j) => j.claim))])
      .where('state', '=', PENDING)
      .returning('attempt_sid')
      .execute();
    return rows.map((r) => r.attempt_sid);
  }

  async releaseSendJobs(ids: string[], claim: string, now: number): Promise<void> {
    if (ids.length === 0) return;
    await this.db
      .updateTable('send_jobs')
      .set({ claim: null, next_attempt_at: now, date_updated: now })
      .where('attempt_sid', 'in', ids)
      .where('claim', '=', claim)
      .where('state', '=', PENDING)
      .execute();
  }

  /** The job and its attempt in one transaction; nothing at all when the claim is no longer this one. */
  async settleSendJob(s: SendSettlement): Promise<boolean> {
    return (await this.settleSendJobs([s]))[0]!;
  }

  /**
   * Many outcomes in one transaction, in order (group commit): each job and its attempt as
   * settleSendJob records them, each guarded by its own claim; one result per settlement.
   */
  settleSendJobs(items: SendSettlement[]): Promise<boolean[]> {
    if (items.length === 0) return Promise.resolve([]);
    return this.db.transaction().execute(async (trx) => {
      const out: boolean[] = [];
      for (const s of items) out.push(await settleIn(trx, s));
      return out;
    });
  }

  async sendJobStatus(attemptSid: string): Promise<SendJobStatus | undefined> {
    const r = await this.db.selectFrom('send_jobs').select(['state', 'attempts', 'last_error', 'sealed_code']).where('attempt_sid', '=', attemptSid).executeTakeFirst();
    return r && { state: r.state as SendJobStatus['state'], attempts: num(r.attempts), lastError: r.last_error, sealed: r.sealed_code !== null };
  }
}
