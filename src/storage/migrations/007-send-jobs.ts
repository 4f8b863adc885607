import type { Dialect } from './index.js';

/**
 * The send queue: one job per code to send through a queued provider, committed with the
 * verification and its attempt, claimed by dispatchers with a lease like the outbox's deliveries.
 * A custom code is kept sealed (AES-256-GCM under CODE_KEYS) only until its job ends; a generated
 * one is derived again from the verification's seed. (The attempt's provider and message id, which
 * receipts name, are migration 008's columns.)
 */
export function sendJobsSchema(_d: Dialect): string[] {
  const ms = 'BIGINT';
  return [
    `CREATE TABLE send_jobs (attempt_sid TEXT PRIMARY KEY REFERENCES verification_sends(sid) ON DELETE CASCADE,
       verification_sid TEXT NOT NULL REFERENCES verifications(sid) ON DELETE CASCADE, channel TEXT NOT NULL,
       state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at ${ms} NOT NULL, claim TEXT,
       request TEXT NOT NULL, sealed_code TEXT, seal_key_id TEXT, last_error TEXT,
       date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    // Only pending jobs are ever claimed.
    `CREATE INDEX send_jobs_due ON send_jobs (next_attempt_at) WHERE state = 'pending'`,
    `CREATE INDEX send_jobs_by_verification ON send_jobs (verification_sid)`,
  ];
}
