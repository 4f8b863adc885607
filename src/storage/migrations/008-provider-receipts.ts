import type { Dialect } from './index.js';

/**
 * Which provider sent an attempt and its id for the message or call: a provider's receipt (a
 * Twilio status callback) names only those two, and the index finds the attempt from them.
 */
export function providerReceiptsSchema(_d: Dialect): string[] {
  return [
    `ALTER TABLE verification_sends ADD COLUMN provider_name TEXT`,
    `ALTER TABLE verification_sends ADD COLUMN provider_message_id TEXT`,
    `CREATE INDEX attempts_by_provider_message ON verification_sends (provider_name, provider_message_id)`,
  ];
}
