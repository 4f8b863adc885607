import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
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
  timeoutMs: number;
}

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
      const res = await this.client(this.settings.region ?? stream.region).send(
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

  private client(region: string): KinesisClient {
    let c = this.clients.get(region);
    if (!c) {
      const { endpoint, accessKeyId, secretAccessKey } = this.settings;
      c = new KinesisClient({
        region,
        ...(endpoint ? { endpoint } : {}),
        ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
        // HTTP/1.1: the SDK's default handler negotiates HTTP/2, which Kinesis-compatible servers
        // such as kinesalite reject; Kinesis itself serves PutRecords over HTTP/1.1 as well.
        requestHandler: new NodeHttpHandler({ requestTimeout: this.settings.timeoutMs }),
      });
      this.clients.set(region, c);
    }
    return c;
  }
}
