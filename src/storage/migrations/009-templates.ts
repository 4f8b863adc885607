import type { Dialect } from './index.js';

/**
 * Verify templates (HJ…), an account's own: channels and translations are JSON text, read and
 * written whole (a template is created and deleted as one, never edited in place).
 */
export function templatesSchema(_d: Dialect): string[] {
  const ms = 'BIGINT';
  return [
    `CREATE TABLE templates (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, friendly_name TEXT NOT NULL,
       channels TEXT NOT NULL, translations TEXT NOT NULL, date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    `CREATE INDEX templates_by_account ON templates (account_sid, date_created, sid)`,
  ];
}
