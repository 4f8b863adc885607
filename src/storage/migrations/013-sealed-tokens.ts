import type { Dialect } from './index.js';

/**
 * Auth tokens sealed at rest (issue 14) and a secondary token per account. `auth_token` now holds
 * the sealed token and `auth_token_key_id` the TOKEN_KEYS id it was sealed under; a row written
 * before this migration has no key id and its token in plain text until the start-up step that
 * seals such rows runs (SqlAccountStore.sealStoredTokens: a migration cannot see the keys).
 * Columns only, so the accounts table (which api_keys references) is not rebuilt.
 */
export function sealedTokensSchema(_d: Dialect): string[] {
  return [
    `ALTER TABLE accounts ADD COLUMN auth_token_key_id TEXT`,
    `ALTER TABLE accounts ADD COLUMN secondary_token TEXT`,
    `ALTER TABLE accounts ADD COLUMN secondary_token_key_id TEXT`,
    `CREATE INDEX api_keys_by_account ON api_keys (account_sid, date_created, sid)`,
  ];
}
