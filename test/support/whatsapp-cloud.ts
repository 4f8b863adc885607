/**
 * A local stand-in for Meta's WhatsApp Cloud API (POST /{version}/{phone-number-id}/messages), written
 * from Meta's documentation of authentication templates. It checks what the real API requires:
 * the Bearer access token, `messaging_product: whatsapp`, `to` as digits, `type: template`, an
 * approved template in one of its languages, and the code given twice (the body's one text
 * parameter and the copy-code button's: `sub_type: url`, `index: 0`, at most 15 characters).
 * It answers as Meta does (200 with `messages[0].id`, a `wamid.`; Meta's error JSON otherwise)
 * and, on demand, posts status webhooks to verifyd signed with the app secret (X-Hub-Signature-256).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { JsonServer, type StandInAnswer, type StandInRequest } from './json-stand-in.js';

export interface WhatsappMessage {
  phoneNumberId: string;
  wamid: string;
  to: string;
  template: string;
  language: string;
  /** The code as the body's parameter carried it (the button's is checked to be the same). */
  code: string;
  body: Record<string, unknown>;
}

export interface StandInAccount {
  version: string;
  phoneNumberId: string;
  accessToken: string;
  appSecret: string;
  /** Approved authentication templates: name -> languages. */
  templates: Record<string, string[]>;
}

/** Meta's error answer. */
const metaError = (status: number, code: number, message: string, details?: string): StandInAnswer => ({
  status,
  json: { error: { message, type: 'OAuthException', code, ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}), fbtrace_id: randomBytes(8).toString('base64url') } },
});

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export class WhatsappCloudStandIn {
  readonly messages: WhatsappMessage[] = [];
  /** Each refusal's Meta code, in order (tests assert there were none, or the one they caused). */
  readonly refusals: number[] = [];
  /** Recipients refused with a Meta error code (digits -> [HTTP status, code]). */
  private readonly refused = new Map<string, [number, number]>();
  /** Answers for the next requests, before any check (throttling, an outage). */
  private next: Array<[number, number]> = [];
  private http!: JsonServer;

  private constructor(private readonly account: StandInAccount) {}

  static async start(account: StandInAccount): Promise<WhatsappCloudStandIn> {
    const self = new WhatsappCloudStandIn(account);
    self.http = await JsonServer.start((req) => self.handle(req));
    return self;
  }

  get url(): string {
    return this.http.url;
  }

  refuseRecipient(digits: string, metaCode: number, status = 400): void {
    this.refused.set(digits, [status, metaCode]);
  }

  /** The next request is answered with this HTTP status and Meta code, whatever it holds. */
  failNext(status: number, metaCode: number): void {
    this.next.push([status, metaCode]);
  }

  waitFor(match: (m: WhatsappMessage) => boolean, what: string): Promise<WhatsappMessage> {
    return this.http.waitFor(this.messages, match, what);
  }

  private refuse(code: number, status: number, message: string): StandInAnswer {
    this.refusals.push(code);
    return metaError(status, code, message);
  }

  private handle(req: StandInRequest): StandInAnswer {
    const a = this.account;
    const m = /^\/(v\d+\.\d+)\/(\d+)\/messages$/.exec(req.path);
    if (req.method !== 'POST' || !m) return metaError(400, 100, 'Unsupported request: unknown path');
    const outage = this.next.shift();
    if (outage) return this.refuse(outage[1], outage[0], 'Temporarily unavailable');
    if (req.headers.authorization !== `Bearer ${a.accessToken}`) return this.refuse(190, 401, 'Invalid OAuth access token');
    if (m[2] !== a.phoneNumberId) return this.refuse(100, 400, 'Unsupported post request: unknown phone number id');
    if (!String(req.headers['content-type']).startsWith('application/json')) return this.refuse(100, 400, 'Invalid parameter: body must be JSON');
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      return this.refuse(100, 400, 'Invalid parameter: malformed JSON');
    }
    if (!isObject(body) || body.messaging_product !== 'whatsapp') return this.refuse(100, 400, 'messaging_product must be whatsapp');
    if (typeof body.to !== 'string' || !/^\d{7,15}$/.test(body.to)) return this.refuse(100, 400, 'to must be the number in digits');
    if (body.type !== 'template' || !isObject(body.template)) return this.refuse(100, 400, 'type must be template, with a template');
    const t = body.template;
    const language = isObject(t.language) ? t.language.code : undefined;
    if (typeof t.name !== 'string' || typeof language !== 'string' || !a.templates[t.name]?.includes(language)) {
      return this.refuse(132001, 404, 'Template name does not exist in the translation');
    }
    const code = authenticationCode(t.components);
    if (code === null) return this.refuse(132000, 400, 'Number of parameters does not match the expected number of params');
    const refused = this.refused.get(body.to);
    if (refused) return this.refuse(refused[1], refused[0], 'Message undeliverable');
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    this.messages.push({ phoneNumberId: m[2], wamid, to: body.to, template: t.name, language, code, body });
    this.http.changed();
    return { status: 200, json: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: body.to }], messages: [{ id: wamid }] } };
  }

  /**
   * Posts a status webhook for a message to `url` as Meta does: the whatsapp_business_account
   * envelope, signed with the app secret (or `secret`, to forge one), the body as `raw` when given.
   */
  async sendStatus(url: string, wamid: string, status: string, opts: { errorCode?: number; secret?: string; signature?: string | null; raw?: string } = {}): Promise<Response> {
    const message = this.messages.find((m) => m.wamid === wamid);
    const statusObject = {
      id: wamid,
      status,
      timestamp: String(Math.floor(Date.now() / 1000)),
      recipient_id: message?.to ?? '0',
      ...(opts.errorCode === undefined ? {} : { errors: [{ code: opts.errorCode, title: 'Message undeliverable.', message: 'Message undeliverable.', error_data: { details: 'Message Undeliverable.' } }] }),
    };
    const payload = {
      object: 'whatsapp_business_account',
      entry: [{ id: '102290129340398', changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: this.account.phoneNumberId }, statuses: [statusObject] }, field: 'messages' }] }],
    };
    const raw = opts.raw ?? JSON.stringify(payload);
    const signature = opts.signature === undefined ? `sha256=${createHmac('sha256', opts.secret ?? this.account.appSecret).update(raw).digest('hex')}` : opts.signature;
    return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-hub-signature-256': signature }) }, body: raw });
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

/**
 * The code of an authentication template's components: exactly a body with one text parameter and
 * a URL button at index 0 whose one text parameter is the same code, at most 15 characters; null
 * when they are not that.
 */
function authenticationCode(components: unknown): string | null {
  if (!Array.isArray(components) || components.length !== 2) return null;
  const body = components.find((c) => isObject(c) && c.type === 'body') as Record<string, unknown> | undefined;
  const button = components.find((c) => isObject(c) && c.type === 'button') as Record<string, unknown> | undefined;
  const textOf = (c: Record<string, unknown> | undefined): string | null => {
    const ps = c?.parameters;
    if (!Array.isArray(ps) || ps.length !== 1 || !isObject(ps[0]) || ps[0].type !== 'text' || typeof ps[0].text !== 'string') return null;
    return ps[0].text;
  };
  const code = textOf(body);
  if (!button || button.sub_type !== 'url' || String(button.index) !== '0' || textOf(button) !== code) return null;
  return code !== null && code.length > 0 && code.length <= 15 ? code : null;
}
