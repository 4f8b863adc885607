import type { Dialect } from './index.js';

/**
 * The SMS-pumping guard (issue 13): each service's level set with the CLI, the per-minute counters
 * of starts and approvals per destination prefix and number range (shared by all nodes), and the
 * blocked starts per service, prefix and reason for the report. New tables only: they commute with
 * 014 and 015, which other branches add.
 */
export function pumpingGuardSchema(d: Dialect): string[] {
  const ms = 'BIGINT';
  // Every guarded start upserts counter rows: clustered on the key on SQLite (one b-tree write).
  const clustered = d === 'sqlite' ? ' WITHOUT ROWID' : '';
  return [
    `CREATE TABLE pumping_guard_settings (service_sid TEXT PRIMARY KEY REFERENCES services(sid) ON DELETE CASCADE,
       account_sid TEXT NOT NULL, level TEXT NOT NULL, date_updated ${ms} NOT NULL)`,
    `CREATE INDEX pumping_guard_settings_by_account ON pumping_guard_settings (account_sid)`,
    // No foreign key: counters outlive nothing (purged after 70 minutes) and a key check per start costs.
    `CREATE TABLE pumping_counters (service_sid TEXT NOT NULL, counter_key TEXT NOT NULL, bucket ${ms} NOT NULL,
       starts INTEGER NOT NULL, approvals INTEGER NOT NULL, PRIMARY KEY (service_sid, counter_key, bucket))${clustered}`,
    `CREATE INDEX pumping_counters_by_bucket ON pumping_counters (bucket)`,
    `CREATE TABLE pumping_blocks (service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE,
       account_sid TEXT NOT NULL, prefix TEXT NOT NULL, reason TEXT NOT NULL, blocked INTEGER NOT NULL,
       first_blocked ${ms} NOT NULL, last_blocked ${ms} NOT NULL, PRIMARY KEY (service_sid, prefix, reason))`,
    `CREATE INDEX pumping_blocks_by_account ON pumping_blocks (account_sid)`,
  ];
}
