import type { Kysely } from 'kysely';
import type { AccountStore } from '../domain/ports/accounts.js';
import type { Account, ApiKey } from '../domain/types.js';
import { num } from './dialect.js';
import type { Database } from './schema.js';

export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: Kysely<Database>) {}

  async insertAccount(a: Account): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({ sid: a.sid, auth_token: a.authToken, friendly_name: a.friendlyName, date_created: a.dateCreated })
      .execute();
  }

  async getAccount(sid: string): Promise<Account | undefined> {
    const r = await this.db.selectFrom('accounts').selectAll().where('sid', '=', sid).executeTakeFirst();
    return r && { sid: r.sid, authToken: r.auth_token, friendlyName: r.friendly_name, dateCreated: num(r.date_created) };
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
    return r && { sid: r.sid, accountSid: r.account_sid, secretHash: r.secret_hash, friendlyName: r.friendly_name, dateCreated: num(r.date_created) };
  }
}
