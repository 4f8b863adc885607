/** Row types as Kysely sees them. Times are epoch milliseconds in BIGINT/INTEGER columns. */
import type { Generated } from 'kysely';

export interface AccountsTable {
  sid: string;
  /** Sealed under auth_token_key_id; plain text only in a row from before migration 013 not yet sealed (key id null). */
  auth_token: string;
  auth_token_key_id: string | null;
  secondary_token: string | null;
  secondary_token_key_id: string | null;
  friendly_name: string;
  date_created: number;
}
export interface ApiKeysTable { sid: string; account_sid: string; secret_hash: string; friendly_name: string; date_created: number }
export interface ServicesTable {
  sid: string;
  account_sid: string;
  friendly_name: string;
  config: string;
  date_created: number;
  date_updated: number;
}
export interface SafeListTable {
  sid: string;
  account_sid: string;
  phone_number: string;
  date_created: number;
}

export interface PumpingGuardSettingsTable {
  service_sid: string;
  account_sid: string;
  level: string;
  date_updated: number;
}

export interface PumpingCountersTable {
  service_sid: string;
  /** `p:` and a destination prefix, or `r:` and a number range. */
  counter_key: string;
  /** The minute's start (ms). */
  bucket: number;
  starts: number;
  approvals: number;
}

export interface PumpingBlocksTable {
  service_sid: string;
  account_sid: string;
  prefix: string;
  reason: string;
  blocked: number;
  first_blocked: number;
  last_blocked: number;
}

export interface GeoPermissionsTable {
  account_sid: string;
  /** '' for the account's own setting. */
  service_sid: string;
  channel: string;
  mode: string;
  countries: string;
  date_updated: number;
}

export interface TemplatesTable {
  sid: string;
  account_sid: string;
  friendly_name: string;
  channels: string;
  translations: string;
  date_created: number;
  date_updated: number;
}
export interface RateLimitsTable {
  sid: string;
  account_sid: string;
  service_sid: string;
  unique_name: string;
  description: string | null;
  date_created: number;
  date_updated: number;
}
export interface RateLimitBucketsTable {
  sid: string;
  account_sid: string;
  service_sid: string;
  rate_limit_sid: string;
  max_hits: number;
  interval_seconds: number;
  date_created: number;
  date_updated: number;
}
export interface RateLimitHitsTable {
  bucket_sid: string;
  value_hash: string;
  window_end: number;
  hits: number;
}
export interface VerificationsTable {
  sid: string;
  account_sid: string;
  service_sid: string;
  to_addr: string;
  channel: string;
  status: string;
  code_length: number;
  code_key_id: string;
  code_seed: string | null;
  code_hash: string | null;
  custom_code: number;
  amount: string | null;
  payee: string | null;
  locale: string;
  country: string | null;
  check_count: number;
  send_count: number;
  options: string;
  /** The carrier lookup's CarrierInfo as JSON (migration 011); null: no lookup. */
  lookup: string | null;
  expires_at: number;
  date_created: number;
  date_updated: number;
}
export interface SendsTable {
  sid: string;
  verification_sid: string;
  /** 1, 2, ... per verification: insertion order, which timestamps alone cannot give within a millisecond. */
  attempt_number: number;
  account_sid: string;
  service_sid: string;
  channel: string;
  to_addr: string;
  locale: string;
  country: string | null;
  code_length: number;
  message_status: string;
  error_code: number | null;
  date_created: number;
  date_updated: number;
  converted: Generated<number>;
  attempt_status: Generated<string>;
  price_value: string | null;
  price_currency: string | null;
  mcc: string | null;
  mnc: string | null;
  carrier: string | null;
  /** The provider that sent the attempt and its id for the message or call (migration 008): receipts name both. */
  provider_name: Generated<string | null>;
  provider_message_id: Generated<string | null>;
  /** The providers tried, as JSON (SendTry[]; migration 010); null before the first try. */
  tries: Generated<string | null>;
}
export interface RateCountersTable { bucket: string; window_start: number; hits: number }
export interface ChecksTable { id: Generated<number>; verification_sid: string; result: string; date_created: number }
export interface StatusChangesTable {
  id: Generated<number>;
  verification_sid: string;
  account_sid: string;
  service_sid: string;
  from_status: string | null;
  to_status: string;
  cause: string;
  date_created: number;
}
export interface SnaSessionsTable {
  token_hash: string;
  verification_sid: string;
  attempt_sid: string;
  expires_at: number;
  used_at: number | null;
  client_token_hash: string | null;
}
export interface InboxTable {
  id: Generated<number>;
  account_sid: string;
  service_sid: string;
  verification_sid: string;
  attempt_sid: string;
  to_addr: string;
  channel: string;
  locale: string;
  subject: string | null;
  body: string;
  code: string;
  date_created: number;
}

export interface EventSinksTable {
  sid: string;
  account_sid: string;
  description: string;
  sink_type: string;
  config: string;
  status: string;
  date_created: number;
  date_updated: number;
}
export interface EventSubscriptionsTable {
  sid: string;
  account_sid: string;
  sink_sid: string;
  description: string;
  date_created: number;
  date_updated: number;
}
export interface EventSubscribedTypesTable { subscription_sid: string; account_sid: string; type: string; schema_version: number }
export interface EventsTable {
  id: string;
  account_sid: string;
  type: string;
  partition_key: string;
  payload: string;
  test_id: string | null;
  date_created: number;
}
export interface EventDeliveriesTable {
  id: Generated<number>;
  event_id: string;
  sink_sid: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  claim: string | null;
  date_created: number;
  date_updated: number;
}
export interface EventDeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  sink_sid: string;
  attempted_at: number;
  status_code: number | null;
  error: string | null;
  latency_ms: number;
}

export interface SendJobsTable {
  attempt_sid: string;
  verification_sid: string;
  channel: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  claim: string | null;
  /** The SendRequest without its code, as JSON. */
  request: string;
  sealed_code: string | null;
  seal_key_id: string | null;
  last_error: string | null;
  date_created: number;
  date_updated: number;
  /** The providers tried so far, as JSON (SendTry[]; migration 010). */
  tries: Generated<string | null>;
  /** The provider whose receipt the job waits for before it may fail over (migration 010); null otherwise. */
  awaiting: Generated<string | null>;
}

/** A service's Messaging Configuration per country (or `all`); `sid` is internal, for keyset paging only. */
export interface MessagingConfigurationsTable {
  sid: string;
  account_sid: string;
  service_sid: string;
  country: string;
  messaging_service_sid: string;
  date_created: number;
  date_updated: number;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  services: ServicesTable;
  templates: TemplatesTable;
  safe_list: SafeListTable;
  geo_permissions: GeoPermissionsTable;
  pumping_guard_settings: PumpingGuardSettingsTable;
  pumping_counters: PumpingCountersTable;
  pumping_blocks: PumpingBlocksTable;
  rate_limits: RateLimitsTable;
  rate_limit_buckets: RateLimitBucketsTable;
  rate_limit_hits: RateLimitHitsTable;
  verifications: VerificationsTable;
  verification_sends: SendsTable;
  verification_checks: ChecksTable;
  verification_status_changes: StatusChangesTable;
  sna_sessions: SnaSessionsTable;
  inbox_messages: InboxTable;
  rate_counters: RateCountersTable;
  event_sinks: EventSinksTable;
  event_subscriptions: EventSubscriptionsTable;
  event_subscribed_types: EventSubscribedTypesTable;
  events: EventsTable;
  event_deliveries: EventDeliveriesTable;
  event_delivery_attempts: EventDeliveryAttemptsTable;
  send_jobs: SendJobsTable;
  messaging_configurations: MessagingConfigurationsTable;
}
