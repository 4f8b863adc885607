/**
 * A local stand-in for Vonage's SMS API (POST /sms/json), for the provider tests and the bench,
 * written from Vonage's public docs. It checks what the real API requires: a known `api_key` with
 * its `api_secret`; `from`, `to` and `text`; `to` in international format without `+`; a `type` of
 * text or unicode (unicode when the text leaves the GSM-7 alphabet: stricter than Vonage, which
 * would garble it); an absolute `callback` URL; `client-ref` at most 100 characters. It answers as
 * Vonage does: HTTP 200 with `message-count` and one entry per part (`status` "0" and a
 * `message-id`, or a non-zero `status` with `error-text`). On demand it sends delivery receipts to
 * the request's `callback`, signed as Vonage signs webhooks (its own code, written from the
 * "Signing messages" guide, not verifyd's), by GET, form POST or JSON POST.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { answerJson, listenLocal, waitForRecord, type LocalServer } from './local-http.js';

export interface VonageSms {
  /** The request's fields as received. */
  form: Record<string, string>;
  /** One id per part. */
  messageIds: string[];
}

export type ReceiptMethod = 'GET' | 'POST' | 'POST-JSON';

export interface ReceiptOptions {
  errCode?: string;
  method?: ReceiptMethod;
  /** Sign with this secret instead of the account's; null: no `sig` at all. */
  secret?: string | null;
  /** Unix seconds (default: the real clock's now). */
  timestamp?: number;
  /** Change a signed field after signing. */
  tamper?: Record<string, string>;
  /** Which part's id the receipt names (default the first). */
  part?: number;
}

const GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f";
const isGsm7 = (text: string) => Array.from(text).every((c) => GSM7.includes(c));

/** Vonage's webhook signature: `&k=v` for each field but sig, sorted, `&`/`=` in values as `_`; MD5 with the secret appended, or an HMAC. */
export function signVonageParams(params: Record<string, string>, secret: string, method: string): string {
  const text = Object.entries(params)
    .filter(([k]) => k !== 'sig')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `&${k}=${v.split('&').join('_').split('=').join('_')}`)
    .join('');
  return method === 'md5hash' ? createHash('md5').update(`${text}${secret}`).digest('hex') : createHmac(method, secret).update(text).digest('hex');
}

export class VonageStandIn {
  readonly sent: VonageSms[] = [];
  /** Requests refused, with Vonage's status and text (tests assert there were none, or the ones they caused). */
  readonly refusals: Array<{ status: string; text: string }> = [];
  private readonly events = new EventEmitter();
  private outage: Array<number | 'hang' | { status: string }> = [];
  private readonly refused = new Map<string, [string, string]>();

  private constructor(
    private readonly local: LocalServer,
    readonly url: string,
    private readonly account: { key: string; secret: string; signatureSecret: string; method: string },
  ) {}

  static async start(account: { key: string; secret: string; signatureSecret: string; method?: string }): Promise<VonageStandIn> {
    let self: VonageStandIn | undefined;
    const local = await listenLocal((req, body, res) => self!.handle(req, body, res));
    self = new VonageStandIn(local, local.origin, { method: 'sha256', ...account });
    return self;
  }

  /** The next `times` requests get an HTTP status, no answer ('hang'), or a Vonage status in a 200. */
  failNext(answer: number | 'hang' | { status: string }, times = 1): void {
    for (let i = 0; i < times; i++) this.outage.push(answer);
  }

  /** Messages to `msisdn` (no +) are refused with this Vonage status from now on. */
  refuseDestination(msisdn: string, status: string, text: string): void {
    this.refused.set(msisdn, [status, text]);
  }

  waitFor(match: (m: VonageSms) => boolean, what = 'an SMS at the Vonage stand-in', limitMs = 15_000): Promise<VonageSms> {
    return waitForRecord(this.sent, this.events, 'sent', match, what, () => `refusals: ${JSON.stringify(this.refusals)}`, limitMs);
  }

  /** A delivery receipt for `sms` to its callback URL, with the fields of Vonage's DLR. */
  sendReceipt(sms: VonageSms, status: string, opts: ReceiptOptions = {}): Promise<Response> {
    const params: Record<string, string> = {
      msisdn: sms.form.to as string,
      to: sms.form.from as string,
      'network-code': '23410',
      messageId: sms.messageIds[opts.part ?? 0] as string,
      price: '0.03330000',
      status,
      scts: '2001011400',
      'err-code': opts.errCode ?? (status === 'delivered' ? '0' : '1'),
      'api-key': this.account.key,
      'message-timestamp': '2020-01-01 12:00:00',
      timestamp: String(opts.timestamp ?? Math.floor(Date.now() / 1000)),
      nonce: randomBytes(8).toString('hex'),
    };
    if (sms.form['client-ref'] !== undefined) params['client-ref'] = sms.form['client-ref'];
    const secret = opts.secret === undefined ? this.account.signatureSecret : opts.secret;
    if (secret !== null) params.sig = signVonageParams(params, secret, this.account.method);
    Object.assign(params, opts.tamper);
    const url = sms.form.callback as string;
    switch (opts.method ?? 'POST') {
      case 'GET':
        return fetch(`${url}?${new URLSearchParams(params)}`);
      case 'POST':
        return fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
      case 'POST-JSON':
        return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    }
  }

  close(): Promise<void> {
    return this.local.close();
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const answer = (status: number, json: unknown) => answerJson(res, status, json);
    if (req.method !== 'POST' || req.url !== '/sms/json') return answer(404, { error: 'not found' });
    const outage = this.outage.shift();
    if (outage === 'hang') return this.local.hang(res);
    if (typeof outage === 'number') return answer(outage, { error: 'outage' });
    const type = String(req.headers['content-type'] ?? '');
    let form: Record<string, string>;
    if (type.startsWith('application/x-www-form-urlencoded')) form = Object.fromEntries(new URLSearchParams(body));
    else if (type.startsWith('application/json')) form = JSON.parse(body) as Record<string, string>;
    else return answer(415, { error: 'unsupported content type' });
    const refuse = (status: string, text: string) => {
      this.refusals.push({ status, text });
      return answer(200, { 'message-count': '1', messages: [{ status, 'error-text': text }] });
    };
    if (outage) return refuse(outage.status, 'outage');
    for (const field of ['api_key', 'api_secret', 'from', 'to', 'text']) if (!form[field]) return refuse('2', `Missing ${field}`);
    if (form.api_key !== this.account.key || form.api_secret !== this.account.secret) return refuse('4', 'Bad Credentials');
    if (!/^[1-9]\d{6,14}$/.test(form.to as string)) return refuse('3', 'Invalid to address');
    if (form.type !== undefined && !['text', 'unicode'].includes(form.type)) return refuse('3', 'Invalid message type');
    if (form.type !== 'unicode' && !isGsm7(form.text as string)) return refuse('3', 'Non-GSM text sent without type=unicode');
    if (form.callback !== undefined && !/^https?:\/\/[^\s]+$/.test(form.callback)) return refuse('23', 'Invalid Callback Url');
    if ((form['client-ref'] ?? '').length > 100) return refuse('3', 'client-ref too long');
    const blocked = this.refused.get(form.to as string);
    if (blocked) return refuse(...blocked);
    const text = Array.from(form.text as string);
    const [single, part] = form.type === 'unicode' ? [70, 67] : [160, 153];
    const parts = text.length <= single ? 1 : Math.ceil(text.length / part);
    const messageIds = Array.from({ length: parts }, () => randomBytes(8).toString('hex').toUpperCase());
    const sms: VonageSms = { form, messageIds };
    this.sent.push(sms);
    answer(200, {
      'message-count': String(parts),
      messages: messageIds.map((id) => ({
        to: form.to,
        'message-id': id,
        status: '0',
        'remaining-balance': '15.53590000',
        'message-price': '0.03330000',
        network: '23410',
        ...(form['client-ref'] === undefined ? {} : { 'client-ref': form['client-ref'] }),
      })),
    });
    this.events.emit('sent', sms);
  }
}
