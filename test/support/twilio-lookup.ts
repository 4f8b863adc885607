/**
 * A local stand-in for Twilio Lookup v2 (`GET /v2/PhoneNumbers/{PhoneNumber}`), written from
 * Twilio's Lookup v2 and Line Type Intelligence docs. It checks what the real API requires: GET,
 * Basic auth with the account's SID and auth token (else 401, Twilio's error 20003), the path with
 * the number in E.164, and answers in Lookup v2's shape: `line_type_intelligence` (carrier_name,
 * mobile_country_code, mobile_network_code, type, error_code) only when `Fields` asks for it.
 * Canadian numbers answer error 60601 unless the account was approved, as on Twilio. On demand it
 * fails (an HTTP status) or never answers, as a provider outage would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export interface LineTypeIntelligence {
  carrier_name: string | null;
  mobile_country_code: string | null;
  mobile_network_code: string | null;
  type: string | null;
  error_code: number | null;
}

export interface LookupRequest {
  method: string;
  path: string;
  fields: string | null;
  authorized: boolean;
}

const UNKNOWN: LineTypeIntelligence = { carrier_name: null, mobile_country_code: null, mobile_network_code: null, type: null, error_code: 60600 };

export class TwilioLookupStandIn {
  readonly requests: LookupRequest[] = [];
  /** Answers for the next requests, before any check (an outage). */
  private outage: Array<{ status: number } | 'hang'> = [];
  private readonly hung = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly account: { sid: string; token: string; canadaApproved: boolean },
    private readonly numbers: ReadonlyMap<string, LineTypeIntelligence>,
  ) {}

  /** A stand-in for one account, knowing the line type intelligence of `numbers` (others: error 60600). */
  static async start(account: { sid: string; token: string; canadaApproved: boolean }, numbers: Record<string, LineTypeIntelligence>): Promise<TwilioLookupStandIn> {
    let self: TwilioLookupStandIn | undefined;
    const server = createServer((req, res) => self!.answer(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new TwilioLookupStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, account, new Map(Object.entries(numbers)));
    return self;
  }

  /** The next `n` requests fail with `status`, or are never answered ('hang'). */
  fail(next: { status: number } | 'hang', n = 1): void {
    for (let i = 0; i < n; i++) this.outage.push(next);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const authorized = req.headers.authorization === `Basic ${Buffer.from(`${this.account.sid}:${this.account.token}`).toString('base64')}`;
    this.requests.push({ method: req.method ?? '', path: url.pathname, fields: url.searchParams.get('Fields'), authorized });
    const trouble = this.outage.shift();
    if (trouble === 'hang') {
      this.hung.add(res);
      return;
    }
    if (trouble) return this.error(res, trouble.status, 20500, 'Internal Server Error');
    if (!authorized) return this.error(res, 401, 20003, 'Authenticate');
    const m = /^\/v2\/PhoneNumbers\/([^/]+)$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) return this.error(res, 404, 20404, 'The requested resource was not found');
    const number = decodeURIComponent(m[1]!);
    const parsed = parsePhoneNumberFromString(number);
    const valid = /^\+[1-9]\d{6,14}$/.test(number) && parsed?.isValid() === true;
    const fields = (url.searchParams.get('Fields') ?? '').split(',').map((f) => f.trim());
    let lti: LineTypeIntelligence | null = null;
    if (fields.includes('line_type_intelligence') && valid) {
      lti = parsed!.country === 'CA' && !this.account.canadaApproved ? { ...UNKNOWN, error_code: 60601 } : (this.numbers.get(number) ?? UNKNOWN);
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        calling_country_code: parsed ? parsed.countryCallingCode : null,
        country_code: parsed?.country ?? null,
        phone_number: number,
        national_format: parsed ? parsed.formatNational() : null,
        valid,
        validation_errors: valid ? null : ['NOT_A_NUMBER'],
        caller_name: null,
        sim_swap: null,
        call_forwarding: null,
        line_type_intelligence: lti,
        identity_match: null,
        reassigned_number: null,
        sms_pumping_risk: null,
        phone_number_quality_score: null,
        url: `https://lookups.twilio.com/v2/PhoneNumbers/${encodeURIComponent(number)}`,
      }),
    );
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }));
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
