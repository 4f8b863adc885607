/**
 * A real webhook receiver for the Event Streams delivery tests: a node:http server on 127.0.0.1
 * that records every request exactly as it arrived (method, URL, headers, raw body) and parses
 * the body as the JSON array of CloudEvents a webhook sink receives. It answers 200 unless told to
 * answer another status or to hang (never answer, so the sender times out), for the next N
 * requests or until told otherwise.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudEvent } from '../../src/domain/events/types.js';

export type Reply = { status: number } | 'hang';

export interface ReceivedRequest {
  method: string;
  /** The request target as received: path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body byte for byte (as UTF-8 text): what the signature covers. */
  body: string;
  /** The parsed body when it was a JSON array, else null. */
  events: CloudEvent[] | null;
  /** What the receiver did with it. */
  reply: Reply;
}

const OK: Reply = { status: 200 };

export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly hung = new Set<ServerResponse>();
  /** Replies still queued for the next requests (`times` counts down), then `fallback`. */
  private plan: Array<{ reply: Reply; times: number }> = [];
  private fallback: Reply = OK;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<Receiver> {
    let self: Receiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self!.handle(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new Receiver(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** A destination on this receiver. */
  url(path = '/hook'): string {
    return this.origin + path;
  }

  /** Answer `reply` to the next `times` requests (then go back to the standing reply), or from now on when `times` is omitted. */
  answer(reply: Reply, times?: number): void {
    if (times === undefined) {
      this.plan = [];
      this.fallback = reply;
    } else {
      this.plan.push({ reply, times });
    }
  }

  /** Answers the requests left hanging so far with `status` (a receiver that held them until now). */
  answerHung(status = 200): void {
    for (const res of this.hung) res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    this.hung.clear();
  }

  /** Every event in requests the receiver acknowledged (2xx), in arrival order. */
  get acknowledged(): CloudEvent[] {
    return this.requests.filter((r) => typeof r.reply !== 'string' && r.reply.status < 300).flatMap((r) => r.events ?? []);
  }

  /** Every event that arrived, acknowledged or not (a retried event appears once per attempt). */
  get received(): CloudEvent[] {
    return this.requests.flatMap((r) => r.events ?? []);
  }

  /**
   * Resolves with the acknowledged events once `predicate` holds for them (checked every 20 ms);
   * rejects after `timeoutMs` saying what was awaited and what had arrived.
   */
  async waitFor(predicate: (acked: CloudEvent[], r: Receiver) => boolean, timeoutMs = 10_000, what = 'the expected events'): Promise<CloudEvent[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (predicate(this.acknowledged, this)) return this.acknowledged;
      if (Date.now() > deadline) {
        const seen = this.requests.map((r) => `${typeof r.reply === 'string' ? r.reply : r.reply.status}: ${(r.events ?? []).map((e) => e.type.split('.').pop()).join(',')}`);
        throw new Error(`receiver: timed out after ${timeoutMs} ms waiting for ${what}; ${this.requests.length} request(s) so far [${seen.join(' | ')}]`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits until at least `n` events were acknowledged. */
  waitForCount(n: number, timeoutMs?: number): Promise<CloudEvent[]> {
    return this.waitFor((acked) => acked.length >= n, timeoutMs, `${n} acknowledged event(s)`);
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    // Keep-alive connections from the dispatcher's fetch would otherwise hold close() open.
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private next(): Reply {
    const head = this.plan[0];
    if (!head) return this.fallback;
    if (--head.times <= 0) this.plan.shift();
    return head.reply;
  }

  private handle(method: string, url: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse): void {
    let events: CloudEvent[] | null = null;
    try {
      const parsed: unknown = JSON.parse(body);
      if (Array.isArray(parsed)) events = parsed as CloudEvent[];
    } catch {
      // Recorded as is; the tests assert on `events` being an array.
    }
    const reply = this.next();
    this.requests.push({ method, url, headers, body, events, reply });
    if (reply === 'hang') {
      this.hung.add(res);
      res.on('close', () => this.hung.delete(res));
      return;
    }
    res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.status < 300 ? 'ok' : 'nope');
  }
}
