import type { Account, ApiKey } from '../types.js';

/** Accounts and their API keys: what authentication and the CLI read and write. */
export interface AccountStore {
  insertAccount(a: Account): Promise<void>;
  getAccount(sid: string): Promise<Account | undefined>;
  countAccounts(): Promise<number>;
  insertApiKey(k: ApiKey): Promise<void>;
  getApiKey(sid: string): Promise<ApiKey | undefined>;
}
