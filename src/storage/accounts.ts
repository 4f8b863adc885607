import { sql, type Kysely } from 'kysely';
import type { AccountStore } from '../domain/ports/accounts.js';
import { TokenKeyring, type SealedToken } from '../domain/token-keys.js';
import type { Account, ApiKey } from '../domain/types.js';
import { num, type SqlDialect } from './dialect.js';
import type { ApiKeysTable, Database } from './schema.js';

/** The PostgreSQL channel a credential change is announced on; the payload is the account's sid. */
export const CREDENTIALS_CHANNEL = 'verifyd_credentials';

type Listener = (accountSid: string | null) => void;

/** In-process listeners of credential changes (this process's own, and those another one announced). */
export class CredentialSignal {
  private readonly listeners = new Set<Listener>();
  listen(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  fire(accountSid: string | null): void {
    for (const fn of this.listeners) fn(accountSid);
  }
}

/** Thrown when a stored token does not open under TOKEN_KEYS (its key was dropped too early). */
export class TokenKeyMissing extends Error {}

const toApiKey = (r: ApiKeysTable): ApiKey => ({ sid: r.sid, accountSid: r.account_sid, secretHash: r.secret_hash, friendlyName: r.friendly_name, dateCreated: num(r.date_created) });

export class SqlAccountStore implements AccountStore {
  readonly credentialsChanged = new CredentialSignal();
  /** Set on PostgreSQL (open.ts): LISTENs for other processes' changes and fires credentialsChanged. */
  watchCredentials?: () => Promise<{ close(): Promise<void> }>;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
    /** TOKEN_KEYS; absent in a process that never reads or writes a token (tests of other stores). */
    private readonly keys: TokenKeyring | undefined,
  ) {}

  private keyring(): TokenKeyring {
    if (!this.keys) throw new TokenKeyMissing('TOKEN_KEYS is not configured: auth tokens cannot be sealed or opened');
    return this.keys;
  }

  private seal(token: string, accountSid: string): SealedToken {
    return this.keyring().seal(token, accountSid);
  }

  private open(sealed: string, keyId: string | null, accountSid: string): string {
    // No key id: a row from before migration 013 that the start-up step has not sealed yet.
    if (keyId === null) return sealed;
    const token = this.keyring().open({ keyId, sealed }, accountSid);
    if (token === undefined) throw new TokenKeyMissing(`the auth token of ${accountSid} does not open under TOKEN_KEYS (sealed under key ${JSON.stringify(keyId)})`);
    return token;
  }

  async insertAccount(a: Account): Promise<void> {
    const primary = this.seal(a.authToken, a.sid);
    const secondary = a.secondaryAuthToken === null ? null : this.seal(a.secondaryAuthToken, a.sid);
    await this.db
      .insertInto('accounts')
      .values({
        sid: a.sid,
        auth_token: primary.sealed,
        auth_token_key_id: primary.keyId,
        secondary_token: secondary?.sealed ?? null,
        secondary_token_key_id: secondary?.keyId ?? null,
        friendly_name: a.friendlyName,
        date_created: a.dateCreated,
      })
      .execute();
  }

  async getAccount(sid: string): Promise<Account | undefined> {
    const r = await this.db.selectFrom('accounts').selectAll().where('sid', '=', sid).executeTakeFirst();
    if (!r) return undefined;
    return {
      sid: r.sid,
      authToken: this.open(r.auth_token, r.auth_token_key_id, r.sid),
      secondaryAuthToken: r.secondary_token === null ? null : this.open(r.secondary_token, r.secondary_token_key_id, r.sid),
      friendlyName: r.friendly_name,
      dateCreated: num(r.date_created),
    };
  }

  async countAccounts(): Promise<number> {
    const r = await this.db.selectFrom('accounts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async setSecondaryToken(sid: string, token: string): Promise<boolean> {
    const s = this.seal(token, sid);
    // Replacing a secondary token takes the old one away: announced like any other change.
    return this.changeCredentials(sid, async (db) => {
      const r = await db.updateTable('accounts').set({ secondary_token: s.sealed, secondary_token_key_id: s.keyId }).where('sid', '=', sid).executeTakeFirst();
      return r.numUpdatedRows > 0n;
    });
  }

  async promoteSecondaryToken(sid: string): Promise<boolean> {
    return this.changeCredentials(sid, async (db) => {
      const r = await db
        .updateTable('accounts')
        .set({
          auth_token: sql<string>`secondary_token`,
          auth_token_key_id: sql<string>`secondary_token_key_id`,
          secondary_token: null,
          secondary_token_key_id: null,
        })
        .where('sid', '=', sid)
        .where('secondary_token', 'is not', null)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    });
  }

  async insertApiKey(k: ApiKey): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({ sid: k.sid, account_sid: k.accountSid, secret_hash: k.secretHash, friendly_name: k.friendlyName, date_created: k.dateCreated })
      .execute();
  }

  async getApiKey(sid: string): Promise<ApiKey | undefined> {
    const r = await this.db.selectFrom('api_keys').selectAll().where('sid', '=', sid).executeTakeFirst();
    return r && toApiKey(r);
  }

  async listApiKeys(accountSid: string): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('account_sid', '=', accountSid).orderBy('date_created').orderBy('sid').execute();
    return rows.map(toApiKey);
  }

  async deleteApiKey(sid: string): Promise<boolean> {
    const key = await this.getApiKey(sid);
    if (!key) return false;
    return this.changeCredentials(key.accountSid, async (db) => {
      const r = await db.deleteFrom('api_keys').where('sid', '=', sid).executeTakeFirst();
      return r.numDeletedRows > 0n;
    });
  }

  onCredentialsChanged(fn: Listener): () => void {
    return this.credentialsChanged.listen(fn);
  }

  /**
   * `write` and, on PostgreSQL, the announcement to other processes in one transaction (a
   * notification is delivered only if the change commits); then this process's own listeners.
   */
  private async changeCredentials(accountSid: string, write: (db: Kysely<Database>) => Promise<boolean>): Promise<boolean> {
    const changed = await this.db.transaction().execute(async (trx) => {
      const done = await write(trx);
      if (done && this.dialect.notify) await sql`SELECT pg_notify(${CREDENTIALS_CHANNEL}, ${accountSid})`.execute(trx);
      return done;
    });
    if (changed) this.credentialsChanged.fire(accountSid);
    return changed;
  }

  /**
   * The start-up step after migration 013 (openStores runs it when TOKEN_KEYS is given): every
   * token stored in plain text, or sealed under a key other than the current one, is sealed under
   * the current key. Each row is rewritten only if it still holds what was read, so nodes starting
   * together seal it once. Throws, naming the key ids, when a token is sealed under a key no longer
   * in TOKEN_KEYS: serving with tokens that cannot be opened would only refuse those accounts.
   */
  async sealStoredTokens(): Promise<number> {
    const keys = this.keyring();
    const rows = await this.db
      .selectFrom('accounts')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('auth_token_key_id', 'is', null),
          eb('auth_token_key_id', '<>', keys.currentId),
          eb.and([eb('secondary_token', 'is not', null), eb('secondary_token_key_id', '<>', keys.currentId)]),
        ]),
      )
      .execute();
    const missing = new Set<string>();
    let sealed = 0;
    for (const r of rows) {
      const reseal = (text: string | null, keyId: string | null): SealedToken | null | undefined => {
        if (text === null) return null;
        // No key id: a plain-text token from before migration 013. Opened once, to check and to re-seal.
        const token = keyId === null ? text : keys.open({ keyId, sealed: text }, r.sid);
        if (token === undefined) {
          missing.add(keyId!);
          return undefined;
        }
        return keyId === keys.currentId ? { keyId, sealed: text } : keys.seal(token, r.sid);
      };
      const primary = reseal(r.auth_token, r.auth_token_key_id);
      const secondary = reseal(r.secondary_token, r.secondary_token_key_id);
      if (primary === undefined || primary === null || secondary === undefined) continue;
      const res = await this.db
        .updateTable('accounts')
        .set({ auth_token: primary.sealed, auth_token_key_id: primary.keyId, secondary_token: secondary?.sealed ?? null, secondary_token_key_id: secondary?.keyId ?? null })
        .where('sid', '=', r.sid)
        .where('auth_token', '=', r.auth_token)
        .where((eb) => (r.secondary_token === null ? eb('secondary_token', 'is', null) : eb('secondary_token', '=', r.secondary_token)))
        .executeTakeFirst();
      sealed += Number(res.numUpdatedRows);
    }
    if (missing.size > 0) {
      throw new TokenKeyMissing(`TOKEN_KEYS lacks the key(s) ${[...missing].map((k) => JSON.stringify(k)).join(', ')} that stored auth tokens are sealed under; add them back (after the current key)`);
    }
    return sealed;
  }
}
