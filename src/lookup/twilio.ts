import { fetch } from 'undici';
import { LOOKUP_ERRORS, type CarrierInfo, type LookupProvider, type LookupTarget } from '../domain/ports/lookup.js';
import type { Log } from '../log.js';
import { lineTypeOfV2 } from './line-type.js';
import type { TwilioLookupSettings } from './settings.js';

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const code = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : null);

/**
 * Twilio Lookup v2, Line Type Intelligence: `GET /v2/PhoneNumbers/{number}?Fields=line_type_intelligence`
 * with the account's Basic credentials. Its answer stands as given, its own error code included
 * (60601 for Canada on an account without that approval, say). When it cannot answer (unreachable,
 * slower than `timeout_ms`, a non-200, a body without `line_type_intelligence`) the bundled data
 * answers instead, with error code 60608 ("Lookup provider replied with an error"): the start goes
 * on, with the type the bundled data gives.
 */
export class TwilioLookup implements LookupProvider {
  constructor(
    private readonly settings: TwilioLookupSettings,
    private readonly fallback: LookupProvider,
    private readonly log: Pick<Log, 'warn'>,
  ) {}

  async lookup(target: LookupTarget): Promise<CarrierInfo> {
    try {
      return await this.ask(target.e164);
    } catch (err) {
      // The number is personal data: the reason alone is logged.
      this.log.warn({ lookup: 'twilio', reason: (err as Error).message }, 'carrier lookup failed; bundled data used');
      const own = await this.fallback.lookup(target);
      return { ...own, errorCode: LOOKUP_ERRORS.providerFailed };
    }
  }

  private async ask(e164: string): Promise<CarrierInfo> {
    const s = this.settings;
    const url = `${s.api_base_url}/v2/PhoneNumbers/${encodeURIComponent(e164)}?Fields=line_type_intelligence`;
    let res;
    try {
      res = await fetch(url, {
        headers: { authorization: `Basic ${Buffer.from(`${s.account_sid}:${s.auth_token}`).toString('base64')}`, accept: 'application/json' },
        signal: AbortSignal.timeout(s.timeout_ms),
      });
    } catch (err) {
      const e = err as { name?: string; message?: string };
      throw new Error(e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${s.timeout_ms} ms` : `unreachable: ${e.message ?? String(err)}`);
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new Error(`answered ${res.status} without JSON`);
    }
    if (res.status !== 200) throw new Error(`answered ${res.status}${code((body as { code?: unknown })?.code) ? ` (code ${(body as { code: unknown }).code})` : ''}`);
    const lti = (body as { line_type_intelligence?: unknown })?.line_type_intelligence;
    if (lti === null || typeof lti !== 'object') throw new Error('answered without line_type_intelligence');
    const l = lti as Record<string, unknown>;
    return {
      mobileCountryCode: text(l.mobile_country_code),
      mobileNetworkCode: text(l.mobile_network_code),
      name: text(l.carrier_name),
      type: lineTypeOfV2(l.type),
      errorCode: code(l.error_code),
    };
  }
}
