import type { SubscribedEvent, Subscription } from '../../domain/events/types.js';
import { iso } from './time.js';

export function serializeSubscription(s: Subscription, baseUrl: string): Record<string, unknown> {
  const url = `${baseUrl}/v1/Subscriptions/${s.sid}`;
  return {
    account_sid: s.accountSid,
    date_created: iso(s.dateCreated),
    date_updated: iso(s.dateUpdated),
    sid: s.sid,
    sink_sid: s.sinkSid,
    description: s.description,
    url,
    links: { subscribed_events: `${url}/SubscribedEvents` },
  };
}

export function serializeSubscribedEvent(e: SubscribedEvent, baseUrl: string): Record<string, unknown> {
  return {
    account_sid: e.accountSid,
    subscription_sid: e.subscriptionSid,
    type: e.type,
    schema_version: e.schemaVersion,
    url: `${baseUrl}/v1/Subscriptions/${e.subscriptionSid}/SubscribedEvents/${e.type}`,
  };
}
