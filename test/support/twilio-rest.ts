/**
 * A local stand-in for Twilio's REST API (Messages.json and Calls.json under /2010-04-01), for the
 * provider tests. It checks what the real API requires: Basic auth with the account's SID and auth
 * token, the form fields of each resource, `whatsapp:` on both addresses of a WhatsApp message,
 * SendDigits' alphabet, and TwiML that is well-formed XML with a <Response> of <Say>/<Pause>/<Play>/<Hangup>
 * and a <Gather>, whose action it posts a key press to on demand.
 * It answers like Twilio (201 with a SM.../CA... sid and status queued; Twilio's error JSON for bad
 * input) and, on demand, sends status callbacks to the StatusCallback URL, signed with the
 * account's auth token by the official SDK's own signing function.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';

export type FormValue = string | string[];
export type StandInForm = Record<string, FormValue>;

export interface SaidText {
  voice: string | null;
  language: string | null;
  /** The text with entities decoded. */
  text: string;
}

export interface Created {
  resource: 'Messages' | 'Calls';
  accountSid: string;
  sid: string;
  form: StandInForm;
  /** A call's TwiML, parsed. */
  twiml?: Twiml;
}

/** TwiML as the stand-in read it: what is said outside a Gather, and the Gather's attributes and prompts. */
export interface Twiml {
  says: SaidText[];
  pauses: number;
  hangup: boolean;
  gather?: { attributes: Record<string, string>; says: SaidText[] };
}

/** A request the stand-in refused, and why (tests assert there were none, or the one they caused). */
export interface Refusal {
  status: number;
  code: number;
  message: string;
  form: StandInForm;
}

/** The Twilio test number that is not a valid destination (error 21211), as on Twilio's test credentials. */
export const INVALID_NUMBER = '+15005550001';

const hex32 = () => randomBytes(16).toString('hex');
const E164 = /^\+[1-9]\d{6,14}$/;

export class TwilioRestStandIn {
  readonly created: Created[] = [];
  readonly refusals: Refusal[] = [];
  private readonly events = new EventEmitter();
  /** Answers for the next requests, before any check (an outage). */
  private outage: Array<{ status: number } | 'hang'> = [];
  /** Requests left unanswered (a hang), ended when the stand-in closes. */
  private readonly hung = new Set<ServerResponse>();
  /** Destinations refused with a Twilio error code, as a real carrier refuses some numbers. */
  private readonly refused = new Map<string, [number, string]>([[INVALID_NUMBER, [21211, `Invalid 'To' Phone Number: ${INVALID_NUMBER}`]]]);

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly accounts: ReadonlyMap<string, string>,
  ) {}

  /** A stand-in that knows these accounts (SID -> auth token). */
  static async start(accounts: Record<string, string>): Promise<TwilioRestStandIn> {
    let self: TwilioRestStandIn | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => self!.handle(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new TwilioRestStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, new Map(Object.entries(accounts)));
    return self;
  }

  /** The next `times` requests get `status` (a Twilio error) whatever they hold, or no answer at all ('hang'). */
  failNext(status: number | 'hang', times = 1): void {
    for (let i = 0; i < times; i++) this.outage.push(status === 'hang' ? 'hang' : { status });
  }

  /** Requests to `number` (on any channel) are refused with `code` from now on. */
  refuseDestination(number: string, code: number, message: string): void {
    this.refused.set(number, [code, message]);
  }

  /** Resolves with the first created resource `match` accepts, already there or yet to come (the send may be queued). */
  waitFor(match: (c: Created) => boolean, what = 'a request to the Twilio stand-in', limitMs = 15_000): Promise<Created> {
    const found = this.created.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('created', on);
        reject(new Error(`timed out waiting for ${what}; refusals: ${JSON.stringify(this.refusals)}`));
      }, limitMs);
      const on = (c: Created) => {
        if (!match(c)) return;
        clearTimeout(timer);
        this.events.off('created', on);
        resolve(c);
      };
      this.events.on('created', on);
    });
  }

  /** Calls `listener` with every resource created from now on (the bench notes arrival times). */
  onCreated(listener: (c: Created) => void): void {
    this.events.on('created', listener);
  }

  /** Resolves with the next refusal (or the first one already made). */
  waitForRefusal(limitMs = 15_000): Promise<Refusal> {
    if (this.refusals[0]) return Promise.resolve(this.refusals[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a refusal')), limitMs);
      this.events.once('refused', (r: Refusal) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /**
   * Posts a status callback for `sid` to its StatusCallback URL, as Twilio does: form-encoded, the
   * resource's callback fields, signed with the account's auth token (or with `signature` when
   * given, to forge one; null sends none). Resolves with verifyd's answer.
   */
  async sendStatus(sid: string, status: string, opts: { errorCode?: number; signature?: string | null; only?: string[] } = {}): Promise<Response> {
    const c = this.created.find((x) => x.sid === sid);
    if (!c) throw new Error(`the stand-in created no ${sid}`);
    const url = c.form.StatusCallback as string;
    const base = { AccountSid: c.accountSid, To: String(c.form.To), From: String(c.form.From ?? ''), ApiVersion: '2010-04-01' };
    const params: Record<string, string> =
      c.resource === 'Messages'
        ? { ...base, MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status }
        : { ...base, CallSid: sid, CallStatus: status, Direction: 'outbound-api', CallbackSource: 'call-progress-events', Timestamp: new Date().toUTCString() };
    if (opts.errorCode !== undefined) params.ErrorCode = String(opts.errorCode);
    // A smaller callback, for a test that signs its parameters itself.
    if (opts.only) for (const k of Object.keys(params)) if (!opts.only.includes(k)) delete params[k];
    const token = this.accounts.get(c.accountSid) as string;
    const signature = opts.signature === undefined ? twilio.getExpectedTwilioSignature(token, url, params) : opts.signature;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  }

  /**
   * A key pressed during the call `sid`'s Gather, as Twilio posts it to the action URL: the call's
   * fields and Digits, signed with the account's auth token (or `signature`; null sends none), to
   * `url` when given (a tampered one). Resolves with verifyd's answer.
   */
  async pressKey(sid: string, digits: string, opts: { signature?: string | null; url?: string } = {}): Promise<Response> {
    const c = this.created.find((x) => x.sid === sid);
    const action = c?.twiml?.gather?.attributes.action;
    if (!c || !action) throw new Error(`the stand-in created no call ${sid} with a Gather`);
    const url = opts.url ?? action;
    const params = { AccountSid: c.accountSid, CallSid: sid, To: String(c.form.To), From: String(c.form.From), Direction: 'outbound-api', CallStatus: 'in-progress', ApiVersion: '2010-04-01', Digits: digits, FinishedOnKey: '' };
    const token = this.accounts.get(c.accountSid) as string;
    const signature = opts.signature === undefined ? twilio.getExpectedTwilioSignature(token, url, params) : opts.signature;
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (signature !== null) headers['x-twilio-signature'] = signature;
    return fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  }

  close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = parseForm(body);
    const answer = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    const refuse = (status: number, code: number, message: string) => {
      const r = { status, code, message, form };
      this.refusals.push(r);
      this.events.emit('refused', r);
      answer(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
    };
    const outage = this.outage.shift();
    if (outage === 'hang') {
      this.hung.add(res);
      return;
    }
    if (outage) return answer(outage.status, { code: 20500, message: 'Internal Server Error', more_info: '', status: outage.status });

    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(req.url ?? '');
    if (!m || req.method !== 'POST') return refuse(404, 20404, `The requested resource ${req.url} was not found`);
    const accountSid = decodeURIComponent(m[1] as string);
    const resource = m[2] as Created['resource'];
    const token = this.accounts.get(accountSid);
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!token || !auth || Buffer.from(auth[1] as string, 'base64').toString('utf8') !== `${accountSid}:${token}`) return refuse(401, 20003, 'Authenticate');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return refuse(400, 20001, 'Form body expected');

    const to = (one(form, 'To') ?? '').replace(/^whatsapp:/, '');
    const problem = (resource === 'Messages' ? checkMessage(form) : checkCall(form)) ?? this.refused.get(to);
    if (problem) return refuse(400, problem[0], problem[1]);
    const created: Created = { resource, accountSid, sid: `${resource === 'Messages' ? 'SM' : 'CA'}${hex32()}`, form };
    if (resource === 'Calls') created.twiml = parseTwiml(form.Twiml as string) as Twiml;
    this.created.push(created);
    answer(201, {
      sid: created.sid,
      account_sid: accountSid,
      to: form.To,
      from: form.From ?? null,
      status: 'queued',
      error_code: null,
      error_message: null,
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${accountSid}/${resource}/${created.sid}.json`,
      ...(resource === 'Messages' ? { body: form.Body ?? '', messaging_service_sid: form.MessagingServiceSid ?? null, direction: 'outbound-api' } : { direction: 'outbound-api' }),
    });
    this.events.emit('created', created);
  }
}

function parseForm(body: string): StandInForm {
  const out: StandInForm = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  return out;
}

const one = (f: StandInForm, name: string): string | undefined => {
  const v = f[name];
  return Array.isArray(v) ? undefined : v;
};

function validCallbackUrl(v: string | undefined): boolean {
  if (v === undefined) return true;
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** Messages.json: To, From or MessagingServiceSid, Body or ContentSid, and the WhatsApp pairing. */
function checkMessage(f: StandInForm): [number, string] | undefined {
  const to = one(f, 'To');
  const from = one(f, 'From');
  const service = one(f, 'MessagingServiceSid');
  if (!to) return [21604, "A 'To' phone number is required."];
  if (!from && !service) return [21603, "A 'From' phone number is required."];
  if (service !== undefined && !/^MG[0-9a-f]{32}$/i.test(service)) return [21701, 'The Messaging Service Sid is invalid.'];
  const wa = to.startsWith('whatsapp:');
  if (from !== undefined && from.startsWith('whatsapp:') !== wa) return [21910, 'Invalid From and To pair. From and To should be of the same channel'];
  const number = wa ? to.slice('whatsapp:'.length) : to;
  if (!E164.test(number)) return [21211, `Invalid 'To' Phone Number: ${number}`];
  const content = one(f, 'ContentSid');
  if (!one(f, 'Body') && !content) return [21602, 'Message body is required.'];
  if (content !== undefined && !/^HX[0-9a-f]{32}$/i.test(content)) return [21656, 'The ContentSid is Invalid.'];
  const vars = one(f, 'ContentVariables');
  if (vars !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(vars);
    } catch {
      return [21656, 'ContentVariables is not valid JSON.'];
    }
    if (!parsed || typeof parsed !== 'object' || Object.values(parsed).some((x) => typeof x !== 'string')) return [21656, 'ContentVariables must map names to strings.'];
  }
  if (!validCallbackUrl(one(f, 'StatusCallback'))) return [21609, 'Invalid StatusCallback URL'];
  return undefined;
}

const CALL_EVENTS = new Set(['initiated', 'ringing', 'answered', 'completed']);

/** Calls.json: To, From, Twiml (valid) or Url, SendDigits' alphabet, the callback events. */
function checkCall(f: StandInForm): [number, string] | undefined {
  const to = one(f, 'To');
  if (!to) return [21201, "No 'To' number is specified"];
  if (!one(f, 'From')) return [21213, "No 'From' number is specified"];
  if (!E164.test(to)) return [21211, `Invalid 'To' Phone Number: ${to}`];
  const twiml = one(f, 'Twiml');
  if (!twiml && !one(f, 'Url')) return [21205, 'Url or Twiml parameter is required.'];
  if (twiml !== undefined) {
    if (twiml.length > 4000) return [21205, 'Twiml is longer than 4000 characters'];
    const parsed = parseTwiml(twiml);
    if (typeof parsed === 'string') return [12100, `Document parse failure: ${parsed}`];
  }
  const digits = one(f, 'SendDigits');
  if (digits !== undefined && !/^[0-9#*wW]+$/.test(digits)) return [21218, 'Invalid SendDigits'];
  const events = f.StatusCallbackEvent;
  for (const e of events === undefined ? [] : Array.isArray(events) ? events : [events]) {
    if (!CALL_EVENTS.has(e)) return [21626, `Invalid StatusCallbackEvent: ${e}`];
  }
  if (!validCallbackUrl(one(f, 'StatusCallback'))) return [21609, 'Invalid StatusCallback URL'];
  return undefined;
}

const ENTITY = /&(amp|lt|gt|quot|apos);/g;
const DECODED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(ENTITY, (_m, n: string) => DECODED[n] as string);
/** Text may hold an ampersand only as one of the five entities. */
const badText = (s: string) => /[<>]/.test(s) || /&(?!(amp|lt|gt|quot|apos);)/.test(s);

/**
 * A small TwiML reader: an optional XML declaration, then <Response> holding <Say> (text only,
 * attributes voice, language, loop), <Pause/> (length), <Play>, <Hangup/>, and at most one
 * <Gather> (input, numDigits, finishOnKey, timeout, action, method) of <Say> and <Pause/>, nothing
 * else. Returns what is said, or why the document is not valid.
 */
export function parseTwiml(doc: string): Twiml | string {
  let rest = doc.replace(/^<\?xml version="1\.0"( encoding="UTF-8")?\?>/, '');
  const out: Twiml = { says: [], pauses: 0, hangup: false };
  const attrs = (s: string, allowed: string[]): Record<string, string> | string => {
    const found: Record<string, string> = {};
    const re = /\s+([A-Za-z]+)="([^"]*)"/y;
    let at = 0;
    while (at < s.length) {
      re.lastIndex = at;
      const a = re.exec(s);
      if (!a) return `bad attributes: ${s}`;
      const [, name, value] = a as unknown as [string, string, string];
      if (!allowed.includes(name)) return `attribute ${name} not allowed`;
      if (badText(value)) return `bad attribute value ${value}`;
      found[name] = decode(value);
      at = re.lastIndex;
    }
    return found;
  };
  const open = /^<Response>/.exec(rest);
  if (!open) return 'the root is not <Response>';
  rest = rest.slice(open[0].length);
  // The verbs up to `close`; what a Gather says goes to its own list.
  const verbs = (close: string, says: SaidText[], inGather: boolean): string | null => {
    for (;;) {
      if (rest.startsWith(close)) {
        rest = rest.slice(close.length);
        return null;
      }
      const pause = /^<Pause((?:\s+[A-Za-z]+="[^"]*")*)\s*\/>/.exec(rest);
      if (pause) {
        const a = attrs(pause[1] as string, ['length']);
        if (typeof a === 'string') return a;
        if (a.length !== undefined && !/^\d+$/.test(a.length)) return 'Pause length is not a number';
        out.pauses++;
        rest = rest.slice(pause[0].length);
        continue;
      }
      const say = /^<(Say|Play)((?:\s+[A-Za-z]+="[^"]*")*)>([^<]*)<\/(Say|Play)>/.exec(rest);
      if (say && say[1] === say[4]) {
        const a = attrs(say[2] as string, say[1] === 'Say' ? ['voice', 'language', 'loop'] : ['loop', 'digits']);
        if (typeof a === 'string') return a;
        const text = say[3] as string;
        if (badText(text)) return `bad text in <${say[1]}>: ${text}`;
        if (say[1] === 'Say') says.push({ voice: a.voice ?? null, language: a.language ?? null, text: decode(text) });
        rest = rest.slice(say[0].length);
        continue;
      }
      const hangup = /^<Hangup\s*\/>/.exec(rest);
      if (hangup && !inGather) {
        out.hangup = true;
        rest = rest.slice(hangup[0].length);
        continue;
      }
      const gather = /^<Gather((?:\s+[A-Za-z]+="[^"]*")*)>/.exec(rest);
      if (gather && !inGather && !out.gather) {
        const a = attrs(gather[1] as string, ['input', 'numDigits', 'finishOnKey', 'timeout', 'action', 'method']);
        if (typeof a === 'string') return a;
        rest = rest.slice(gather[0].length);
        out.gather = { attributes: a, says: [] };
        const inner = verbs('</Gather>', out.gather.says, true);
        if (inner !== null) return inner;
        continue;
      }
      return `unexpected content: ${rest.slice(0, 40)}`;
    }
  };
  const problem = verbs('</Response>', out.says, false);
  if (problem !== null) return problem;
  return rest === '' ? out : `content after </Response>: ${rest.slice(0, 40)}`;
}
