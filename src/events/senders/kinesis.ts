import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DeliveryOutcome, KinesisSinkConfig, OutboxEvent } from '../../domain/events/types.js';
import type { SinkOf, SinkSender } from './sender.js';

/** How verifyd reaches Kinesis; credentials come from the AWS SDK's default chain unless given. */
export interface KinesisSettings {
  /** Overrides the endpoint, e.g. a Kinesis-compatible service or a local one for development. */
  endpoint?: string;
  /** Overrides the region taken from the stream ARN. */
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /**
   * Write as the sink's `role_arn` (STS AssumeRole with its `external_id`), as Twilio does, instead
   * of with verifyd's own credentials, which then only need sts:AssumeRole.
   */
  assumeRole?: boolean;
  /** Overrides the STS endpoint used to assume roles. */
  stsEndpoint?: string;
  timeoutMs: number;
}

/** The session name the assumed roles' CloudTrail entries carry. */
export const ROLE_SESSION_NAME = 'verifyd-event-streams';

/** Clients kept at most (one per region, or per region and role); the oldest is dropped beyond. */
const MAX_CLIENTS = 500;

export interface KinesisRecord {
  data: string;
  partitionKey: string;
}

/** PutRecords accepts at most 500 records per call. */
const KINESIS_MAX_RECORDS = 500;

const ARN = /^arn:aws[\w-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([A-Za-z0-9_.-]{1,128})$/;

export function parseStreamArn(arn: string): { region: string; streamName: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1]!, streamName: m[3]! } : undefined;
}

/** Credentials or a provider of them, as the SDK takes them. */
type Credentials = NonNullable<Parameters<typeof fromTemporaryCredentials>[0]['masterCredentials']>;

/** A client and the HTTP handlers it and its STS client use, closed together. */
interface ClientEntry {
  client: KinesisClient;
  handlers: NodeHttpHandler[];
}

/**
 * Sends events to Kinesis streams with PutRecords, one record per event. The result is per record:
 * PutRecords can accept some records of a call and reject others, and only the rejected ones are
 * retried.
 */
export class KinesisSender implements SinkSender<'kinesis'> {
  /** In least-recently-used order: a hit moves its entry to the end. */
  private readonly clients = new Map<string, ClientEntry>();
  private readonly retiring = new Set<NodeJS.Timeout>();
  /** verifyd's own credentials: given, or the SDK's default chain, one chain shared by every role. */
  private readonly own: Credentials | undefined;

  constructor(private readonly settings: KinesisSettings) {
    const { accessKeyId, secretAccessKey, assumeRole } = settings;
    this.own = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : assumeRole ? fromNodeProviderChain() : undefined;
  }

  requestSize(): number {
    return KINESIS_MAX_RECORDS;
  }

  /** One record per event, keyed by its partition key so one verification's events stay in order on a shard. */
  send(sink: SinkOf<'kinesis'>, events: OutboxEvent[], timeoutMs: number): Promise<DeliveryOutcome[]> {
    return this.put(sink.config, events.map((e) => ({ data: JSON.stringify(e.payload), partitionKey: e.partitionKey })), timeoutMs);
  }

  async put(config: KinesisSinkConfig, records: KinesisRecord[], timeoutMs: number = this.settings.timeoutMs): Promise<DeliveryOutcome[]> {
    const started = performance.now();
    const fail = (error: string): DeliveryOutcome[] =>
      records.map(() => ({ ok: false, statusCode: null, error, latencyMs: performance.now() - started }));
    const stream = parseStreamArn(config.arn);
    if (!stream) return fail(`not a Kinesis stream ARN: ${config.arn}`);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const command = new PutRecordsCommand({
        StreamName: stream.streamName,
        Records: records.map((r) => ({ Data: Buffer.from(r.data, 'utf8'), PartitionKey: r.partitionKey })),
      });
      // The abort signal reaches only the PutRecords request itself; assuming the role comes before
      // it, so the race bounds that too and a hanging STS cannot hold a delivery past its lease.
      const res = await untilAborted(this.client(this.settings.region ?? stream.region, config).send(command, { abortSignal: signal }), signal);
      const latencyMs = performance.now() - started;
      return records.map((_, i) => {
        const r = res.Records?.[i];
        if (!r) return { ok: false, statusCode: null, error: 'no result for this record', latencyMs };
        if (r.ErrorCode) return { ok: false, statusCode: null, error: `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim(), latencyMs };
        return { ok: true, statusCode: null, error: null, latencyMs };
      });
    } catch (err) {
      const e = err as { name?: string; message?: string };
      return fail(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`);
    }
  }

  close(): void {
    for (const timer of this.retiring) clearTimeout(timer);
    this.retiring.clear();
    for (const entry of this.clients.values()) destroy(entry);
    this.clients.clear();
  }

  /**
   * A client per region, or per region and role when roles are assumed: the client caches its
   * assumed credentials and renews them before they expire, so STS is asked about once an hour
   * per role rather than once per call.
   */
  private client(region: string, sink: KinesisSinkConfig): KinesisClient {
    const { endpoint, assumeRole, stsEndpoint, timeoutMs } = this.settings;
    const key = assumeRole ? JSON.stringify([region, sink.role_arn, sink.external_id]) : region;
    const hit = this.clients.get(key);
    if (hit) {
      this.clients.delete(key);
      this.clients.set(key, hit);
      return hit.client;
    }
    // HTTP/1.1: the SDK's default handler negotiates HTTP/2, which Kinesis-compatible servers
    // such as kinesalite reject; Kinesis itself serves PutRecords over HTTP/1.1 as well. Without
    // throwOnRequestTimeout a request timeout only logs a warning.
    const handler = () => new NodeHttpHandler({ connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true });
    const handlers = [handler()];
    let credentials = this.own;
    if (assumeRole) {
      handlers.push(handler());
      credentials = fromTemporaryCredentials({
        params: { RoleArn: sink.role_arn, ExternalId: sink.external_id, RoleSessionName: ROLE_SESSION_NAME, DurationSeconds: 3600 },
        ...(this.own ? { masterCredentials: this.own } : {}),
        clientConfig: { region, maxAttempts: 2, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}), requestHandler: handlers[1] },
      });
    }
    const client = new KinesisClient({ region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), requestHandler: handlers[0] });
    if (this.clients.size >= MAX_CLIENTS) this.retireOldest();
    this.clients.set(key, { client, handlers });
    return client;
  }

  /** The least recently used client goes once its calls under way have had their full time. */
  private retireOldest(): void {
    const [key, entry] = this.clients.entries().next().value as [string, ClientEntry];
    this.clients.delete(key);
    const timer = setTimeout(() => {
      this.retiring.delete(timer);
      destroy(entry);
    }, this.settings.timeoutMs);
    timer.unref();
    this.retiring.add(timer);
  }
}

function destroy(entry: ClientEntry): void {
  entry.client.destroy();
  for (const h of entry.handlers) h.destroy();
}

/** `work`, or the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
