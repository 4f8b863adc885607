import type { Kysely, Selectable } from 'kysely';
import type { SnaStore } from '../domain/ports/sna.js';
import type { SnaSession } from '../domain/types.js';
import { num, numOrNull, type Db } from './dialect.js';
import type { Database, SnaSessionsTable } from './schema.js';

const snaFromRow = (r: Selectable<SnaSessionsTable>): SnaSession => ({
  tokenHash: r.token_hash,
  verificationSid: r.verification_sid,
  attemptSid: r.attempt_sid,
  expiresAt: num(r.expires_at),
  usedAt: numOrNull(r.used_at),
  clientTokenHash: r.client_token_hash,
});

/** Written in a start's transaction (VerificationTx). */
export async function insertSnaSession(db: Db, s: SnaSession): Promise<void> {
  await db
    .insertInto('sna_sessions')
    .values({ token_hash: s.tokenHash, verification_sid: s.verificationSid, attempt_sid: s.attemptSid, expires_at: s.expiresAt, used_at: s.usedAt, client_token_hash: s.clientTokenHash })
    .execute();
}

export async function latestSnaSession(db: Db, verificationSid: string): Promise<SnaSession | undefined> {
  const r = await db.selectFrom('sna_sessions').selectAll().where('verification_sid', '=', verificationSid).orderBy('expires_at', 'desc').limit(1).executeTakeFirst();
  return r && snaFromRow(r);
}

export class SqlSnaStore implements SnaStore {
  constructor(private readonly db: Kysely<Database>) {}

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
}
