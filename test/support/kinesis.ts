/**
 * Kinesis for the Event Streams tests: kinesalite (a Kinesis-compatible server from npm) in this
 * process, a KinesisClient to create streams and read records back, and a pass-through front that
 * can reject chosen records of a PutRecords call the way Kinesis does when a shard is throttled
 * (kinesalite itself always accepts every record of a call it accepts).
 */
import { Buffer } from 'node:buffer';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  waitUntilStreamExists,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { signerKeyId } from './sts.js';

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A stream ARN in the account and region kinesalite answers for (neither is checked). */
export const streamArn = (name: string): string => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

export interface Kinesalite {
  url: string;
  client: KinesisClient;
  close(): Promise<void>;
}

export async function startKinesalite(): Promise<Kinesalite> {
  // createStreamMs 0: a stream is ACTIVE as soon as CreateStream answered, so the waiter returns at
  // once. Every test makes its own stream and none is deleted: the default limit of 10 shards is too low.
  const server = kinesalite({ createStreamMs: 0, shardLimit: 1000 });
  const url = await listen(server);
  const client = new KinesisClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    // The SDK's default HTTP/2 handler fails against kinesalite (ERR_HTTP2_ERROR).
    requestHandler: new NodeHttpHandler(),
  });
  return {
    url,
    client,
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

export async function createStream(client: KinesisClient, name: string, shards: number): Promise<void> {
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilStreamExists({ client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { StreamName: name });
}

export interface StreamRecord {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  data: string;
}

/** Every record in the stream, shard by shard from TRIM_HORIZON up to the newest. */
export async function readStream(client: KinesisClient, name: string): Promise<StreamRecord[]> {
  const shards = (await client.send(new ListShardsCommand({ StreamName: name }))).Shards ?? [];
  const out: StreamRecord[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId!;
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: name, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    // A page with no records means the reader caught up with the shard.
    while (iterator) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = page.Records ?? [];
      for (const r of records) {
        out.push({ shardId, partitionKey: r.PartitionKey!, sequenceNumber: r.SequenceNumber!, data: Buffer.from(r.Data!).toString('utf8') });
      }
      if (records.length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** Polls the stream until `done` holds for its records; fails after `timeoutMs` showing what was there. */
export async function waitForRecords(
  client: KinesisClient,
  name: string,
  done: (records: StreamRecord[]) => boolean,
  timeoutMs = 15_000,
  what = 'the expected records',
): Promise<StreamRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const records = await readStream(client, name).catch(() => [] as StreamRecord[]);
    if (done(records)) return records;
    if (Date.now() > deadline) throw new Error(`stream ${name}: timed out after ${timeoutMs} ms waiting for ${what}; ${records.length} record(s) there`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One PutRecords call as the front saw it. */
export interface PutCall {
  stream: string;
  /** CloudEvent id of each record, in the call's order. */
  ids: string[];
  /** Ids the front rejected itself (never forwarded). */
  rejected: string[];
  /** What the caller was answered: HTTP status, and kinesalite's error type when it refused the call. */
  status: number;
  errorType: string | null;
  /** Who signed the call: the access key id of its Authorization header, and its session token. */
  accessKeyId: string | null;
  sessionToken: string | null;
}

export const THROTTLED = 'ProvisionedThroughputExceededException';

/**
 * A pass-through HTTP front for kinesalite that logs every PutRecords call and, when `reject`
 * says so for a record, keeps that record from kinesalite and answers for it the per-record error
 * Kinesis gives a throttled shard, in an otherwise successful response. The records kinesalite
 * did store are exactly those the caller is told were accepted.
 */
export interface KinesisFront {
  url: string;
  calls: PutCall[];
  /** Decides per record (its event id, its index in the call); nothing is rejected by default. */
  reject: (id: string, index: number) => boolean;
  close(): Promise<void>;
}

export async function startFront(upstream: string): Promise<KinesisFront> {
  const front: KinesisFront = { url: '', calls: [], reject: () => false, close: async () => undefined };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const target = String(req.headers['x-amz-target'] ?? '');
      if (!target.endsWith('.PutRecords')) {
        const up = await forward(upstream, req, body);
        res.writeHead(up.status, up.headers).end(up.body);
        return;
      }
      const call = JSON.parse(body.toString('utf8')) as { StreamName: string; Records: Array<{ Data: string; PartitionKey: string }> };
      const ids = call.Records.map((r) => (JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8')) as { id: string }).id);
      const rejectedAt = new Set(ids.flatMap((id, i) => (front.reject(id, i) ? [i] : [])));
      const kept = call.Records.filter((_, i) => !rejectedAt.has(i));
      const log: PutCall = {
        stream: call.StreamName,
        ids,
        rejected: [...rejectedAt].map((i) => ids[i]!),
        status: 200,
        errorType: null,
        accessKeyId: signerKeyId(req.headers.authorization),
        sessionToken: typeof req.headers['x-amz-security-token'] === 'string' ? req.headers['x-amz-security-token'] : null,
      };
      front.calls.push(log);
      let accepted: unknown[] = [];
      if (kept.length > 0) {
        const up = await forward(upstream, req, Buffer.from(JSON.stringify({ ...call, Records: kept })));
        if (up.status !== 200) {
          // kinesalite refused the whole call (e.g. no such stream): passed on as it is.
          log.status = up.status;
          log.errorType = (JSON.parse(up.body.toString('utf8')) as { __type?: string }).__type ?? 'unknown';
          res.writeHead(up.status, up.headers).end(up.body);
          return;
        }
        accepted = (JSON.parse(up.body.toString('utf8')) as { Records: unknown[] }).Records;
      }
      const records = call.Records.map((_, i) =>
        rejectedAt.has(i)
          ? { ErrorCode: THROTTLED, ErrorMessage: `Rate exceeded for shard shardId-000000000000 in stream ${call.StreamName} under account 000000000000.` }
          : accepted.shift(),
      );
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ FailedRecordCount: rejectedAt.size, Records: records }));
    })().catch((err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message));
  });
  front.url = await listen(server);
  front.close = () => closeServer(server);
  return front;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(upstream: string, req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === 'string' && !['host', 'content-length', 'connection'].includes(k)) headers[k] = v;
  }
  headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const up = request(`${upstream}${req.url ?? '/'}`, { method: req.method, headers }, (res) => {
      void readAll(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: { 'content-type': String(res.headers['content-type'] ?? 'application/x-amz-json-1.1') }, body: b }), reject);
    });
    up.on('error', reject);
    up.end(body);
  });
}
