import type { Dialect } from './index.js';

/**
 * Event Streams: sinks, subscriptions with their event types, and the transactional outbox.
 * An event row is written in the transaction of the status change it reports, with one delivery
 * row per sink subscribed to its type; dispatchers claim due delivery rows and record every
 * attempt. Deleting a sink or subscription removes what hangs off it (ON DELETE CASCADE).
 */
export function eventStreamsSchema(d: Dialect): string[] {
  const serial = d === 'postgres' ? 'BIGSERIAL PRIMARY KEY' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
  const ms = 'BIGINT';
  return [
    `CREATE TABLE event_sinks (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL, description TEXT NOT NULL,
       sink_type TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL,
       date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    `CREATE INDEX event_sinks_by_account ON event_sinks (account_sid, date_created, sid)`,
    `CREATE TABLE event_subscriptions (sid TEXT PRIMARY KEY, account_sid TEXT NOT NULL,
       sink_sid TEXT NOT NULL REFERENCES event_sinks(sid) ON DELETE CASCADE, description TEXT NOT NULL,
       date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    `CREATE INDEX event_subscriptions_by_account ON event_subscriptions (account_sid, date_created, sid)`,
    `CREATE INDEX event_subscriptions_by_sink ON event_subscriptions (sink_sid)`,
    `CREATE TABLE event_subscribed_types (subscription_sid TEXT NOT NULL REFERENCES event_subscriptions(sid) ON DELETE CASCADE,
       account_sid TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
       PRIMARY KEY (subscription_sid, type))`,
    // The outbox looks up, per status change, which sinks of the account take this type.
    `CREATE INDEX event_subscribed_types_by_type ON event_subscribed_types (account_sid, type)`,
    `CREATE TABLE events (id TEXT PRIMARY KEY, account_sid TEXT NOT NULL, type TEXT NOT NULL,
       partition_key TEXT NOT NULL, payload TEXT NOT NULL, test_id TEXT, date_created ${ms} NOT NULL)`,
    `CREATE INDEX events_by_created ON events (date_created)`,
    `CREATE TABLE event_deliveries (id ${serial}, event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
       sink_sid TEXT NOT NULL REFERENCES event_sinks(sid) ON DELETE CASCADE, state TEXT NOT NULL,
       attempts INTEGER NOT NULL, next_attempt_at ${ms} NOT NULL, claim TEXT,
       date_created ${ms} NOT NULL, date_updated ${ms} NOT NULL)`,
    // Only pending rows are ever claimed; delivered and failed ones stay out of the index.
    `CREATE INDEX event_deliveries_due ON event_deliveries (next_attempt_at) WHERE state = 'pending'`,
    `CREATE INDEX event_deliveries_by_event ON event_deliveries (event_id)`,
    `CREATE INDEX event_deliveries_by_sink ON event_deliveries (sink_sid)`,
    `CREATE TABLE event_delivery_attempts (id ${serial},
       delivery_id BIGINT NOT NULL REFERENCES event_deliveries(id) ON DELETE CASCADE,
       sink_sid TEXT NOT NULL, attempted_at ${ms} NOT NULL, status_code INTEGER, error TEXT, latency_ms INTEGER NOT NULL)`,
    `CREATE INDEX event_delivery_attempts_by_delivery ON event_delivery_attempts (delivery_id)`,
  ];
}
