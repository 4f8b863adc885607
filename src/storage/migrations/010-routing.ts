import type { Dialect } from './index.js';

/**
 * Routing and failover: the providers a send job has tried and the one whose receipt it waits for
 * (a failure receipt sends it on to the next provider), the tries on the attempt for its
 * channel_data, and each service's Messaging Configurations (a country, or `all`, to one of the
 * configuration file's sender profiles). A configuration has no sid on the wire; `sid` is only the
 * keyset for paging, as every other list's.
 */
export function routingSchema(_d: Dialect): string[] {
  const ms = 'BIGINT';
  return [
    `ALTER TABLE send_jobs ADD COLUMN tries TEXT`,
    `ALTER TABLE send_jobs ADD COLUMN awaiting TEXT`,
    `ALTER TABLE verification_sends ADD COLUMN tries TEXT`,
    `CREATE TABLE messaging_configurations (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL,
       service_sid TEXT NOT NULL REFERENCES services(sid) ON DELETE CASCADE, country TEXT NOT NULL,
       messaging_service_sid TEXT NOT NULL, date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL,
       UNIQUE (service_sid, country))`,
    `CREATE INDEX messaging_configurations_by_service ON messaging_configurations (service_sid, date_created, sid)`,
  ];
}
