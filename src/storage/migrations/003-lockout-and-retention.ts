import type { Dialect } from './index.js';

/**
 * A destination that used up its check attempts stays locked until that verification's validity
 * ends, looked up by (service, To, status). The service index becomes (service_sid, to_addr,
 * status): it still serves the cascade from services by its prefix, and gives the lockout lookup
 * an index no planner can pass over (with only a partial index, SQLite without statistics scanned
 * the whole service per start). The retention purge finds old verifications by creation time.
 */
export function lockoutAndRetentionSchema(_d: Dialect): string[] {
  return [
    `DROP INDEX verifications_by_service`,
    `CREATE INDEX verifications_by_service_to ON verifications (service_sid, to_addr, status)`,
    `CREATE INDEX verifications_by_created ON verifications (date_created)`,
  ];
}
