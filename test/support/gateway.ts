/**
 * A team's own gateway for the `http` provider, as docs/delivery.md ("Your own HTTP gateway") tells one to
 * be written: it verifies X-Verifyd-Signature (its own HMAC code, not verifyd's) over the
 * timestamp and the body exactly as received, refuses a stale timestamp, checks the body's
 * documented fields, and answers `{ message_id, status }`. Tests and the bench steer its answers
 * and send signed receipts back to the message's `receipt_url`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerJson, listenLocal, waitForRecord, type LocalServer } from './local-http.js';

export interface GatewayReceived {
  messageId: string;
  body: Record<string, unknown> & { attempt_sid: string; to: string; channel: string; code: string; receipt_url: string; message: { text: string; subject: string | null; html: string | null } };
  headers: Record<string, string | string[] | undefined>;
}

const hmac = (secret: string, timestamp: string, body: string) => createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

const REQUIRED = ['attempt_sid', 'verification_sid', 'service_sid', 'account_sid', 'channel', 'to', 'locale', 'code', 'friendly_name', 'message', 'template', 'expires_at', 'receipt_url'];

export class GatewayReceiver {
  readonly received: GatewayReceived[] = [];
  /** Requests refused for a bad signature or body, and why (tests assert there were none). */
  readonly rejected: string[] = [];
  private readonly events = new EventEmitter();
  private outage: Array<number | 'hang'> = [];
  private readonly refused = new Map<string, { status: number; errorCode?: number }>();
  /** What a 2xx answer's `status` says. */
  answerStatus = 'sent';

  private constructor(
    private readonly local: LocalServer,
    readonly url: string,
    private readonly secret: string,
  ) {}

  static async start(secret: string): Promise<GatewayReceiver> {
    let self: GatewayReceiver | undefined;
    const local = await listenLocal((req, body, res) => self!.handle(req, body, res));
    self = new GatewayReceiver(local, `${local.origin}/send`, secret);
    return self;
  }

  failNext(answer: number | 'hang', times = 1): void {
    for (let i = 0; i < times; i++) this.outage.push(answer);
  }

  /** Messages to `to` are answered with this HTTP status (and `error_code`) from now on. */
  refuseDestination(to: string, status: number, errorCode?: number): void {
    this.refused.set(to, { status, errorCode });
  }

  waitFor(match: (m: GatewayReceived) => boolean, what = 'a message at the gateway', limitMs = 15_000): Promise<GatewayReceived> {
    return waitForRecord(this.received, this.events, 'received', match, what, () => `rejected: ${JSON.stringify(this.rejected)}`, limitMs);
  }

  onReceived(listener: (m: GatewayReceived) => void): void {
    this.events.on('received', listener);
  }

  /** A receipt for `m` to its receipt_url, signed with the shared secret (or `secret`, or unsigned with null). */
  sendReceipt(m: GatewayReceived, status: string, opts: { errorCode?: number; secret?: string | null; timestamp?: number; body?: string } = {}): Promise<Response> {
    const body = opts.body ?? JSON.stringify({ message_id: m.messageId, status, ...(opts.errorCode === undefined ? {} : { error_code: opts.errorCode }) });
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const secret = opts.secret === undefined ? this.secret : opts.secret;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-verifyd-timestamp': timestamp };
    if (secret !== null) headers['x-verifyd-signature'] = hmac(secret, timestamp, body);
    return fetch(m.body.receipt_url, { method: 'POST', headers, body });
  }

  close(): Promise<void> {
    return this.local.close();
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const answer = (status: number, json: unknown) => answerJson(res, status, json);
    if (req.method !== 'POST' || req.url !== '/send') return answer(404, { error: 'not found' });
    const outage = this.outage.shift();
    if (outage === 'hang') return this.local.hang(res);
    if (outage !== undefined) return answer(outage, { error: 'outage' });
    const reject = (why: string) => {
      this.rejected.push(why);
      return answer(401, { error: why });
    };
    const timestamp = req.headers['x-verifyd-timestamp'];
    const signature = req.headers['x-verifyd-signature'];
    if (typeof timestamp !== 'string' || typeof signature !== 'string') return reject('unsigned');
    if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return reject('stale timestamp');
    if (signature !== hmac(this.secret, timestamp, body)) return reject('bad signature');
    if (!String(req.headers['content-type']).startsWith('application/json')) return reject('not JSON');
    const parsed = JSON.parse(body) as GatewayReceived['body'];
    const missing = REQUIRED.filter((k) => !(k in parsed));
    if (missing.length > 0) return reject(`missing ${missing.join(', ')}`);
    const refusal = this.refused.get(parsed.to);
    if (refusal) return answer(refusal.status, { error: 'refused', ...(refusal.errorCode === undefined ? {} : { error_code: refusal.errorCode }) });
    const m: GatewayReceived = { messageId: `gw-${randomBytes(8).toString('hex')}`, body: parsed, headers: req.headers };
    this.received.push(m);
    answer(200, { message_id: m.messageId, status: this.answerStatus });
    this.events.emit('received', m);
  }
}
