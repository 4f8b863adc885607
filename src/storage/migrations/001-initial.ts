import type { Dialect } from './index.js';

export function initialSchema(d: Dialect): string[] {
  const serial = d === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const ms = 'BIGINT';
  return [
    `CREATE TABLE accounts (sid TEXT PRIMARY KEY, auth_token TEXT NOT NULL, friendly_name TEXT NOT NULL, date_created ${ms} NOT NULL)`,
    `CREATE TABLE api_keys (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL REFERENCES accounts(sid),
       secret_hash TEXT NOT NULL, friendly_name TEXT NOT NULL, date_created ${ms} NOT NULL)`,
    `CREATE TABLE services (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, friendly_name TEXT NOT NULL,
       config TEXT NOT NULL, date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    `CREATE INDEX services_by_account ON services (account_sid, date_created, sid)`,
    // Children reference their parent with ON DELETE CASCADE: deleting a service removes everything
    // under it, and a start racing that delete fails on the foreign key instead of leaving orphans.
    `CREATE TABLE verifications (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL,
       service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE,
       to_addr TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL, code_length INTEGER NOT NULL,
       code_key_id TEXT NOT NULL, code_seed TEXT, code_hash TEXT, custom_code INTEGER NOT NULL,
       amount TEXT, payee TEXT, locale TEXT NOT NULL, country TEXT, check_count INTEGER NOT NULL,
       send_count INTEGER NOT NULL, options TEXT NOT NULL, expires_at ${ms} NOT NULL,
       date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    // At most one pending verification per destination and service: concurrent first starts cannot fork.
    `CREATE UNIQUE INDEX verifications_one_pending ON verifications (service_sid, to_addr) WHERE status = 'pending'`,
    `CREATE INDEX verifications_due ON verifications (expires_at) WHERE status = 'pending'`,
    `CREATE INDEX verifications_by_service ON verifications (service_sid)`,
    `CREATE TABLE verification_sends (sid TEXT PRIMARY KEY,
       verification_sid TEXT NOT NULL REFERENCES verifications(sid) ON DELETE CASCADE,
       attempt_number INTEGER NOT NULL, account_sid TEXT NOT NULL,
       service_sid TEXT NOT NULL, channel TEXT NOT NULL, to_addr TEXT NOT NULL, locale TEXT NOT NULL, country TEXT,
       code_length INTEGER NOT NULL, message_status TEXT NOT NULL, error_code INTEGER,
       date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    `CREATE UNIQUE INDEX sends_by_verification ON verification_sends (verification_sid, attempt_number)`,
    `CREATE TABLE verification_checks (id ${serial},
       verification_sid TEXT NOT NULL REFERENCES verifications(sid) ON DELETE CASCADE, result TEXT NOT NULL, date_created ${ms} NOT NULL)`,
    `CREATE INDEX checks_by_verification ON verification_checks (verification_sid)`,
    `CREATE TABLE verification_status_changes (id ${serial},
       verification_sid TEXT NOT NULL REFERENCES verifications(sid) ON DELETE CASCADE, account_sid TEXT NOT NULL,
       service_sid TEXT NOT NULL, from_status TEXT, to_status TEXT NOT NULL, cause TEXT NOT NULL, date_created ${ms} NOT NULL)`,
    `CREATE INDEX status_changes_by_verification ON verification_status_changes (verification_sid)`,
    `CREATE TABLE sna_sessions (token_hash TEXT PRIMARY KEY,
       verification_sid TEXT NOT NULL REFERENCES verifications(sid) ON DELETE CASCADE, attempt_sid TEXT NOT NULL,
       expires_at ${ms} NOT NULL, used_at ${ms}, client_token_hash TEXT)`,
    `CREATE INDEX sna_by_verification ON sna_sessions (verification_sid, expires_at)`,
    `CREATE TABLE inbox_messages (id ${serial}, account_sid TEXT NOT NULL, service_sid TEXT NOT NULL,
       verification_sid TEXT NOT NULL REFERENCES verifications(sid) ON DELETE CASCADE, attempt_sid TEXT NOT NULL,
       to_addr TEXT NOT NULL, channel TEXT NOT NULL, locale TEXT NOT NULL, subject TEXT, body TEXT NOT NULL, code TEXT NOT NULL, date_created ${ms} NOT NULL)`,
    `CREATE INDEX inbox_by_account ON inbox_messages (account_sid, id)`,
    `CREATE INDEX inbox_by_verification ON inbox_messages (verification_sid)`,
  ];
}
