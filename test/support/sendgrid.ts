/**
 * A local stand-in for SendGrid's v3 Mail Send API (POST /v3/mail/send), written from SendGrid's
 * documentation. It checks what the real API requires: the Bearer API key, personalizations with
 * `to` addresses, a `from` address (a verified sender), and either a `template_id` or a subject and
 * content (text/plain before text/html); `custom_args` values are strings. It answers as SendGrid
 * does (202, an empty body and X-Message-Id; `{errors: [...]}` otherwise) and, on demand, posts
 * Event Webhook batches to verifyd signed with an ECDSA P-256 key pair made for the run
 * (X-Twilio-Email-Event-Webhook-Signature over the timestamp and the body).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { JsonServer, type StandInAnswer, type StandInRequest } from './json-stand-in.js';

export interface SentMail {
  messageId: string;
  to: string;
  body: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const errors = (status: number, message: string, field: string | null = null): StandInAnswer => ({ status, json: { errors: [{ message, field, help: null }] } });
const EMAIL = /^[^\s@]+@[^\s@]+$/;

export class SendgridStandIn {
  readonly mails: SentMail[] = [];
  /** Every refused request's status and message. */
  readonly refusals: Array<{ status: number; message: string }> = [];
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  private next: number[] = [];
  private http!: JsonServer;

  private constructor(
    private readonly apiKey: string,
    /** Addresses SendGrid lets this account send from. */
    private readonly verifiedSenders: readonly string[],
  ) {}

  static async start(apiKey: string, verifiedSenders: readonly string[]): Promise<SendgridStandIn> {
    const self = new SendgridStandIn(apiKey, verifiedSenders);
    self.http = await JsonServer.start((req) => self.handle(req));
    return self;
  }

  get url(): string {
    return this.http.url;
  }

  /** The verification key as SendGrid's Mail Settings show it: base64 of the DER public key. */
  get publicKey(): string {
    return this.keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  /** The next request is answered with this status, whatever it holds. */
  failNext(status: number): void {
    this.next.push(status);
  }

  waitFor(match: (m: SentMail) => boolean, what: string): Promise<SentMail> {
    return this.http.waitFor(this.mails, match, what);
  }

  private refuse(status: number, message: string, field: string | null = null): StandInAnswer {
    this.refusals.push({ status, message });
    return errors(status, message, field);
  }

  private handle(req: StandInRequest): StandInAnswer {
    if (req.method !== 'POST' || req.path !== '/v3/mail/send') return errors(404, 'not found');
    const outage = this.next.shift();
    if (outage) return this.refuse(outage, 'unavailable');
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return this.refuse(401, 'The provided authorization grant is invalid, expired, or revoked');
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      return this.refuse(400, 'Bad Request');
    }
    if (!isObject(body)) return this.refuse(400, 'Bad Request');
    const ps = body.personalizations;
    if (!Array.isArray(ps) || ps.length === 0 || ps.length > 1000) return this.refuse(400, 'The personalizations field is required and must have at least one personalization.', 'personalizations');
    for (const p of ps) {
      const to = isObject(p) ? p.to : undefined;
      if (!Array.isArray(to) || to.length === 0 || !to.every((r) => isObject(r) && typeof r.email === 'string' && EMAIL.test(r.email))) {
        return this.refuse(400, 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.', 'personalizations.0.to');
      }
      if (isObject(p) && p.dynamic_template_data !== undefined && !isObject(p.dynamic_template_data)) return this.refuse(400, 'dynamic_template_data must be an object', 'personalizations.0.dynamic_template_data');
    }
    const from = body.from;
    if (!isObject(from) || typeof from.email !== 'string' || !EMAIL.test(from.email)) return this.refuse(400, 'The from object must be provided for every email send.', 'from');
    if (from.name !== undefined && typeof from.name !== 'string') return this.refuse(400, 'The from name must be a string.', 'from.name');
    if (!this.verifiedSenders.includes(from.email)) return this.refuse(403, 'The from address does not match a verified Sender Identity.', 'from');
    if (body.template_id === undefined) {
      if (typeof body.subject !== 'string' || body.subject === '') return this.refuse(400, 'The subject is required. You can get around this requirement if you use a template with a subject defined.', 'subject');
      const content = body.content;
      if (!Array.isArray(content) || content.length === 0 || !content.every((c) => isObject(c) && typeof c.type === 'string' && typeof c.value === 'string' && c.value !== '')) {
        return this.refuse(400, 'Unless a valid template_id is provided, the content parameter is required.', 'content');
      }
      const types = content.map((c) => (c as { type: string }).type);
      if (types.includes('text/plain') && types[0] !== 'text/plain') return this.refuse(400, 'If present, text/plain content must be first, followed by any other content.', 'content');
    } else if (typeof body.template_id !== 'string' || !/^d-[0-9a-f]{32}$/.test(body.template_id)) {
      return this.refuse(400, 'The template_id must be a valid GUID, you provided ' + String(body.template_id) + '.', 'template_id');
    }
    if (body.custom_args !== undefined && (!isObject(body.custom_args) || !Object.values(body.custom_args).every((v) => typeof v === 'string'))) {
      return this.refuse(400, 'Custom args must be strings.', 'custom_args');
    }
    const messageId = randomBytes(16).toString('base64url').slice(0, 22);
    this.mails.push({ messageId, to: ((ps[0] as { to: Array<{ email: string }> }).to[0] as { email: string }).email, body });
    this.http.changed();
    return { status: 202, headers: { 'x-message-id': messageId } };
  }

  /**
   * An Event Webhook batch about `mail` as SendGrid posts it: each event with the message's
   * sg_message_id (its X-Message-Id, then SendGrid's own suffix) and its custom_args, signed
   * with the run's key unless `signature` says otherwise (null: no headers; a string: that one).
   * `sentBody` is sent instead of the body that was signed (a tampered request).
   */
  async sendEvents(url: string, mail: SentMail, events: Array<Record<string, unknown> & { event: string }>, opts: { signature?: string | null; raw?: string; sentBody?: string } = {}): Promise<Response> {
    const now = Math.floor(Date.now() / 1000);
    const customArgs = (mail.body.custom_args ?? {}) as Record<string, string>;
    const batch = events.map((e) => ({
      email: mail.to,
      timestamp: now,
      'smtp-id': `<${mail.messageId}@ismtpd0001p1lon1.sendgrid.net>`,
      sg_event_id: randomBytes(16).toString('base64url'),
      sg_message_id: `${mail.messageId}.filterdrecv-5645d9c87f-6r4mk-1-62B4A3B6-2B.0`,
      ...customArgs,
      ...e,
    }));
    const raw = opts.raw ?? JSON.stringify(batch) + '\r\n';
    const timestamp = String(now);
    const signature = opts.signature === undefined ? sign('sha256', Buffer.from(timestamp + raw), this.keys.privateKey).toString('base64') : opts.signature;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== null) Object.assign(headers, { 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp });
    return fetch(url, { method: 'POST', headers, body: opts.sentBody ?? raw });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}
