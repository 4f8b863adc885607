import type { Dialect } from './index.js';

/**
 * The Safe List (GN…, one row per account and number) and geo permissions set with the CLI: one
 * row per account, service ('' for the account's own) and channel, saying which countries are
 * allowed or blocked (JSON text of ISO codes). New tables only: they commute with 010-015.
 */
export function protectionSchema(_d: Dialect): string[] {
  const ms = 'BIGINT';
  return [
    `CREATE TABLE safe_list (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, phone_number TEXT NOT NULL, date_created ${ms} NOT NULL)`,
    `CREATE UNIQUE INDEX safe_list_by_number ON safe_list (account_sid, phone_number)`,
    `CREATE TABLE geo_permissions (account_sid TEXT NOT NULL, service_sid TEXT NOT NULL, channel TEXT NOT NULL,
       mode TEXT NOT NULL, countries TEXT NOT NULL, date_updated ${ms} NOT NULL,
       PRIMARY KEY (account_sid, service_sid, channel))`,
  ];
}
