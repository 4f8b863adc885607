import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { DeliveryOutcome, KinesisSinkConfig } from '../domain/events/types.js';

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
export const KINESIS_MAX_RECORDS = 500;

const ARN = /^arn:aws[\w-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([A-Za-z0-9_.-]{1,128})$/;

export function parseStreamArn(arn: string): { region: string; streamName: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1]!, streamName: m[3]! } : undefined;
}

/**
 * Sends events to Kinesis streams with PutRecords, one record per event. The result is per record:
 * PutRecords can accept some records of a call and reject others, and only the rejected ones are
 * retried.
 */
export class KinesisSender {
  private readonly clients = new Map<string, KinesisClient>();

  constructor(private readonly settings: KinesisSettings) {}

  async put(config: KinesisSinkConfig, records: KinesisRecord[], timeoutMs: number = this.settings.timeoutMs): Promise<DeliveryOutcome[]> {
    const started = performance.now();
    const fail = (error: string): DeliveryOutcome[] =>
      records.map(() => ({ ok: false, statusCode: null, error, latencyMs: performance.now() - started }));
    const stream = parseStreamArn(config.arn);
    if (!stream) return fail(`not a Kinesis stream ARN: ${config.arn}`);
    try {
      const res = await this.client(this.settings.region ?? stream.region, config).send(
        new PutRecordsCommand({
          StreamName: stream.streamName,
          Records: records.map((r) => ({ Data: Buffer.from(r.data, 'utf8'), PartitionKey: r.partitionKey })),
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
      const latencyMs = performance.now() - started;
      return records.map((_, i) => {
        const r = res.Records?.[i];
        if (!r) return { ok: false, statusCode: null, error: 'no result for this record', latencyMs };
        if (r.ErrorCode) return { ok: false, statusCode: null, error: `${r.ErrorCode}: ${r.ErrorMessage ?? ''}`.trim(), latencyMs };
        return { ok: true, statusCode: null, error: null, latencyMs };
      });
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      return fail(`${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`);
    }
  }

  close(): void {
    for (const c of this.clients.values()) c.destroy();
    this.clients.clear();
  }

  /**
   * A client per region, or per region and role when roles are assumed: the client caches its
   * assumed credentials and renews them before they expire, so STS is asked about once an hour
   * per role rather than once per call.
   */
  private client(region: string, sink: KinesisSinkConfig): KinesisClient {
    const { endpoint, accessKeyId, secretAccessKey, assumeRole, stsEndpoint } = this.settings;
    const key = assumeRole ? JSON.stringify([region, sink.role_arn, sink.external_id]) : region;
    let c = this.clients.get(key);
    if (c) return c;
    // HTTP/1.1: the SDK's default handler negotiates HTTP/2, which Kinesis-compatible servers
    // such as kinesalite reject; Kinesis itself serves PutRecords over HTTP/1.1 as well.
    const requestHandler = () => new NodeHttpHandler({ requestTimeout: this.settings.timeoutMs });
    const own = accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
    const credentials = assumeRole
      ? fromTemporaryCredentials({
          params: { RoleArn: sink.role_arn, ExternalId: sink.external_id, RoleSessionName: ROLE_SESSION_NAME, DurationSeconds: 3600 },
          ...(own ? { masterCredentials: own } : {}),
          clientConfig: { region, ...(stsEndpoint ? { endpoint: stsEndpoint } : {}), requestHandler: requestHandler() },
        })
      : own;
    c = new KinesisClient({ region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), requestHandler: requestHandler() });
    if (this.clients.size >= MAX_CLIENTS) {
      const [oldestKey, oldest] = this.clients.entries().next().value as [string, KinesisClient];
      oldest.destroy();
      this.clients.delete(oldestKey);
    }
    this.clients.set(key, c);
    return c;
  }
}
