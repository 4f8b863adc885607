import type { Account, ApiKey } from '../types.js';

/**
 * Accounts and their API keys: what authentication and the CLI read and write. Tokens cross this
 * port in plain text; the adapter seals them at rest. Every change that takes a credential away
 * (a token replaced, a key deleted) is announced to every process on the database
 * (onCredentialsChanged), so cached credentials are dropped at once.
 */
export interface AccountStore {
  insertAccount(a: Account): Promise<void>;
  getAccount(sid: string): Promise<Account | undefined>;
  countAccounts(): Promise<number>;
  /** Sets (or replaces) the secondary token; false when there is no such account. */
  setSecondaryToken(sid: string, token: string): Promise<boolean>;
  /** The secondary token becomes the primary one, the old primary is gone; false when there was no secondary. */
  promoteSecondaryToken(sid: string): Promise<boolean>;
  insertApiKey(k: ApiKey): Promise<void>;
  getApiKey(sid: string): Promise<ApiKey | undefined>;
  /** The account's keys, oldest first. */
  listApiKeys(accountSid: string): Promise<ApiKey[]>;
  /** Deletes the key; false when there was none. */
  deleteApiKey(sid: string): Promise<boolean>;
  /**
   * Calls `fn` with the account whose credentials changed, in this process or (PostgreSQL) any
   * other; with null when changes may have been missed (a notification connection was lost).
   */
  onCredentialsChanged(fn: (accountSid: string | null) => void): () => void;
}
