import type { MessagingConfiguration } from '../../domain/ports/messaging-configurations.js';
import { iso } from './time.js';

/** verify.v2.service.messaging_configuration: keyed by country, no sid of its own. */
export function serializeMessagingConfiguration(c: MessagingConfiguration, baseUrl: string): Record<string, unknown> {
  return {
    account_sid: c.accountSid,
    service_sid: c.serviceSid,
    country: c.country,
    messaging_service_sid: c.messagingServiceSid,
    date_created: iso(c.dateCreated),
    date_updated: iso(c.dateUpdated),
    url: `${baseUrl}/v2/Services/${c.serviceSid}/MessagingConfigurations/${c.country}`,
  };
}
