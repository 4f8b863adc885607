import type { Dialect } from './index.js';

/**
 * Verification Attempts: outcome and price columns on the send record, the indexes the Attempts
 * list pages along (newest first, keyset on date_created + sid, always within one account), and
 * the fixed-window counters of the Attempts rate limit.
 */
export function attemptsSchema(_d: Dialect): string[] {
  return [
    `ALTER TABLE verification_sends ADD COLUMN converted INTEGER NOT NULL DEFAULT 0`,
    `ALTER TABLE verification_sends ADD COLUMN attempt_status TEXT NOT NULL DEFAULT 'unconfirmed'`,
    `ALTER TABLE verification_sends ADD COLUMN price_value TEXT`,
    `ALTER TABLE verification_sends ADD COLUMN price_currency TEXT`,
    `ALTER TABLE verification_sends ADD COLUMN mcc TEXT`,
    `ALTER TABLE verification_sends ADD COLUMN mnc TEXT`,
    `ALTER TABLE verification_sends ADD COLUMN carrier TEXT`,
    `CREATE INDEX attempts_by_account ON verification_sends (account_sid, date_created, sid)`,
    `CREATE INDEX attempts_by_service ON verification_sends (account_sid, service_sid, date_created, sid)`,
    `CREATE INDEX attempts_by_to ON verification_sends (account_sid, to_addr, date_created, sid)`,
    `CREATE INDEX attempts_by_country ON verification_sends (account_sid, country, date_created, sid)`,
    `CREATE INDEX attempts_by_channel ON verification_sends (account_sid, channel, date_created, sid)`,
    `CREATE TABLE rate_counters (bucket TEXT NOT NULL, window_start BIGINT NOT NULL, hits INTEGER NOT NULL,
       PRIMARY KEY (bucket, window_start))`,
  ];
}
