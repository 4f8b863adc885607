/** Event Streams records. Times are epoch milliseconds, as everywhere in the domain. */

export type SinkStatus = 'initialized' | 'validating' | 'active' | 'failed';

export interface WebhookSinkConfig {
  destination: string;
  method: 'POST';
  batch_events: boolean;
}

export interface KinesisSinkConfig {
  arn: string;
  role_arn: string;
  external_id: string;
}

/** Each sink type's configuration: the sink types verifyd delivers to. */
export interface SinkConfigs {
  webhook: WebhookSinkConfig;
  kinesis: KinesisSinkConfig;
}

export type SinkType = keyof SinkConfigs;
export type SinkConfig = SinkConfigs[SinkType];

export interface Sink {
  sid: string;
  accountSid: string;
  description: string;
  sinkType: SinkType;
  config: SinkConfig;
  status: SinkStatus;
  dateCreated: number;
  dateUpdated: number;
}

export interface Subscription {
  sid: string;
  accountSid: string;
  sinkSid: string;
  description: string;
  dateCreated: number;
  dateUpdated: number;
}

export interface SubscribedEvent {
  subscriptionSid: string;
  accountSid: string;
  type: string;
  schemaVersion: number;
}

/** A CloudEvents 1.0 envelope in structured JSON mode. */
export interface CloudEvent {
  specversion: '1.0';
  type: string;
  source: string;
  id: string;
  time: string;
  dataschema: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

/** An event as the outbox holds it: written with the change it reports, delivered later. */
export interface OutboxEvent {
  id: string;
  accountSid: string;
  type: string;
  /** Kinesis partition key: the verification SID, so one verification's events stay in order on a shard. */
  partitionKey: string;
  payload: CloudEvent;
  /** Set on sink test events only: what POST /v1/Sinks/{Sid}/Validate takes as TestId. */
  testId: string | null;
  dateCreated: number;
}

/** One event due for one sink, as a dispatcher claimed it. */
export interface ClaimedDelivery {
  id: number;
  /** Random per claim: a dispatcher whose lease lapsed cannot overwrite a later claim's outcome. */
  claim: string;
  /** The claim holds until then; nothing may be sent for it after. */
  leaseUntil: number;
  attempts: number;
  event: OutboxEvent;
  sink: Sink;
}

/** What one delivery attempt came to; kept for every attempt. */
export interface DeliveryOutcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number;
}

export interface DeliveryAttemptRecord extends DeliveryOutcome {
  deliveryId: number;
  sinkSid: string;
  attemptedAt: number;
}

export type DeliveryState = 'pending' | 'delivered' | 'failed';

/** Where one event stands for one sink (for operators and tests). */
export interface DeliveryStatus {
  id: number;
  eventId: string;
  sinkSid: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  history: DeliveryAttemptRecord[];
}
