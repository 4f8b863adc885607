import type { Dialect } from './index.js';

/**
 * A destination that used up its check attempts stays locked until that verification's validity
 * ends (looked up by service + To among the few max_attempts_reached rows), and the retention purge
 * finds old verifications by creation time.
 */
export function lockoutAndRetentionSchema(_d: Dialect): string[] {
  return [
    `CREATE INDEX verifications_locked_out ON verifications (service_sid, to_addr) WHERE status = 'max_attempts_reached'`,
    `CREATE INDEX verifications_by_created ON verifications (date_created)`,
  ];
}
