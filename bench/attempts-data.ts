/**
 * The attempts data set, generated deterministically (same PRNG seed, same rows on both stores
 * except for the service and account SIDs): verifications in time order over DAYS days, each with
 * 1-5 sends (mean 2.5), spread over a few services of one account with skewed sizes, mostly SMS,
 * ten countries with numbers that libphonenumber-js accepts for them, ~40% converted.
 */
import type { Selectable } from 'kysely';
import type { SendsTable, VerificationsTable } from '../src/storage/schema.js';
import { parsePhoneNumber } from 'libphonenumber-js/max';
import { localeForCountry } from '../src/domain/locale.js';

export const DAYS = 30;
const DAY_MS = 86_400_000;

/** Shares of the account's rows per service (the services are created in this order). */
export const SERVICE_SHARES = [0.5, 0.25, 0.15, 0.07, 0.03];
export const CHANNEL_SHARES: Array<[string, number]> = [
  ['sms', 0.82],
  ['whatsapp', 0.08],
  ['call', 0.06],
  ['email', 0.04],
];
/** Country, share of phone verifications, E.164 prefix, then `digits` more digits (the first fixed). */
const COUNTRIES: Array<{ cc: string; share: number; prefix: string; digits: number; first: string }> = [
  { cc: 'US', share: 0.4, prefix: '+1201', digits: 7, first: '2' },
  { cc: 'GB', share: 0.12, prefix: '+4474', digits: 8, first: '0' },
  { cc: 'IN', share: 0.1, prefix: '+919', digits: 9, first: '8' },
  { cc: 'BR', share: 0.08, prefix: '+55119', digits: 8, first: '6' },
  { cc: 'DE', share: 0.07, prefix: '+4915', digits: 9, first: '1' },
  { cc: 'FR', share: 0.06, prefix: '+336', digits: 8, first: '1' },
  { cc: 'MX', share: 0.06, prefix: '+5255', digits: 8, first: '1' },
  { cc: 'CA', share: 0.05, prefix: '+1416', digits: 7, first: '2' },
  { cc: 'ES', share: 0.03, prefix: '+346', digits: 8, first: '1' },
  { cc: 'IT', share: 0.03, prefix: '+393', digits: 9, first: '3' },
];
export const CONVERTED_SHARE = 0.4;
/** Sends per verification 1..5: mean 2.5. */
const SENDS_DIST = [0.3, 0.25, 0.2, 0.15, 0.1];
/** Distinct destinations per country per verification: each number is used by ~1.6 verifications. */
const NUMBERS_PER_VERIFICATION = 0.6;

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: number, items: Array<[T, number]>): T {
  let acc = 0;
  for (const [item, share] of items) {
    acc += share;
    if (r < acc) return item;
  }
  return items[items.length - 1]![0];
}

export type VerificationRow = VerificationsTable;

/** Every column of a send row as the database holds it. */
export type SendRow = Selectable<SendsTable>;

export const VERIFICATION_COLUMNS = [
  'sid', 'account_sid', 'service_sid', 'to_addr', 'channel', 'status', 'code_length', 'code_key_id', 'code_seed', 'code_hash',
  'custom_code', 'amount', 'payee', 'locale', 'country', 'check_count', 'send_count', 'options', 'expires_at', 'date_created', 'date_updated',
] as const satisfies ReadonlyArray<keyof VerificationRow>;

export const SEND_COLUMNS = [
  'sid', 'verification_sid', 'attempt_number', 'account_sid', 'service_sid', 'channel', 'to_addr', 'locale', 'country', 'code_length',
  'message_status', 'error_code', 'date_created', 'date_updated', 'converted', 'attempt_status', 'price_value', 'price_currency', 'mcc', 'mnc', 'carrier',
] as const satisfies ReadonlyArray<keyof SendRow>;

const OPTIONS = JSON.stringify({
  customFriendlyName: null, customMessage: null, sendDigits: null, locale: null, rateLimits: null, channelConfiguration: null,
  appHash: null, templateSid: null, templateCustomSubstitutions: null, deviceIp: null, enableSnaClientToken: false, riskCheck: null, tags: null,
});

export interface DataSpec {
  /** Sends of the main account. */
  rows: number;
  accountSid: string;
  serviceSids: string[];
  /** A second account with a few hundred sends in one service. */
  otherAccountSid: string;
  otherServiceSid: string;
  otherRows: number;
  /** Newest row is just before this (epoch ms). */
  now: number;
  seed: number;
}

export interface Samples {
  to: string[];
  verificationSids: string[];
  oldest: number;
  newest: number;
}

/**
 * Yields batches of verifications with their sends, oldest first, the main account then the
 * other; the sends of a verification follow it within minutes. Also fills `samples`.
 */
export function* generate(spec: DataSpec, batchSends: number, samples: Samples): Generator<{ verifications: VerificationRow[]; sends: SendRow[] }> {
  const rnd = mulberry32(spec.seed);
  const hex32 = () => {
    let s = '';
    for (let i = 0; i < 4; i++) s += ((rnd() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return s;
  };
  const countryShares: Array<[(typeof COUNTRIES)[number], number]> = COUNTRIES.map((c) => [c, c.share]);
  const serviceShares = (sids: string[], shares: number[]): Array<[string, number]> => sids.map((s, i) => [s, shares[i] ?? 0]);

  function* account(accountSid: string, services: Array<[string, number]>, rows: number, sample: boolean) {
    const verifications = Math.ceil(rows / 2.5);
    const numbersPerCountry = new Map(COUNTRIES.map((c) => [c.cc, Math.max(10, Math.round(verifications * NUMBERS_PER_VERIFICATION * c.share))]));
    const start = spec.now - DAYS * DAY_MS;
    const step = (DAYS * DAY_MS - 15 * 60_000) / verifications;
    const sampleEvery = Math.max(1, Math.floor(verifications / 200));
    let sent = 0;
    let vs: VerificationRow[] = [];
    let ss: SendRow[] = [];
    for (let i = 0; sent < rows; i++) {
      const created = Math.floor(start + i * step + rnd() * step);
      const channel = pick(rnd(), CHANNEL_SHARES);
      let to: string;
      let country: string | null;
      if (channel === 'email') {
        to = `user${Math.floor(rnd() * verifications * NUMBERS_PER_VERIFICATION * 0.04) + 1}@example.com`;
        country = null;
      } else {
        const c = pick(rnd(), countryShares);
        to = phoneFor(c, Math.floor(rnd() * numbersPerCountry.get(c.cc)!));
        country = c.cc;
      }
      const service = pick(rnd(), services);
      const converted = rnd() < CONVERTED_SHARE;
      const n = Math.min(pick(rnd(), SENDS_DIST.map((s, k): [number, number] => [k + 1, s])), rows - sent);
      const locale = localeForCountry(country ?? undefined);
      const sid = `VE${hex32()}`;
      let t = created;
      const sendTimes: number[] = [];
      for (let k = 0; k < n; k++) {
        sendTimes.push(t);
        t += 30_000 + Math.floor(rnd() * 90_000);
      }
      const last = sendTimes[n - 1]!;
      const done = last + (converted ? 20_000 + Math.floor(rnd() * 60_000) : 600_000);
      vs.push({
        sid, account_sid: accountSid, service_sid: service, to_addr: to, channel, status: converted ? 'approved' : 'expired',
        code_length: 6, code_key_id: 'k1', code_seed: hex32(), code_hash: hex32() + hex32(), custom_code: 0, amount: null, payee: null,
        locale, country, check_count: converted ? 1 : Math.floor(rnd() * 3), send_count: n, options: OPTIONS, lookup: null,
        expires_at: created + 600_000, date_created: created, date_updated: done,
      });
      for (let k = 0; k < n; k++) {
        ss.push({
          sid: `VL${hex32()}`, verification_sid: sid, attempt_number: k + 1, tries: null, account_sid: accountSid, service_sid: service, channel,
          to_addr: to, locale, country, code_length: 6, message_status: 'delivered', error_code: null,
          date_created: sendTimes[k]!, date_updated: done, converted: converted ? 1 : 0, attempt_status: converted ? 'confirmed' : 'expired',
          price_value: null, price_currency: null, mcc: null, mnc: null, carrier: null, provider_name: null, provider_message_id: null,
        });
      }
      sent += n;
      if (sample) {
        if (i === 0) samples.oldest = created;
        samples.newest = Math.max(samples.newest, last);
        if (i % sampleEvery === 0 && samples.to.length < 200) {
          samples.to.push(to);
          samples.verificationSids.push(sid);
        }
      }
      if (ss.length >= batchSends) {
        yield { verifications: vs, sends: ss };
        vs = [];
        ss = [];
      }
    }
    if (ss.length > 0) yield { verifications: vs, sends: ss };
  }

  yield* account(spec.accountSid, serviceShares(spec.serviceSids, SERVICE_SHARES), spec.rows, true);
  yield* account(spec.otherAccountSid, [[spec.otherServiceSid, 1]], spec.otherRows, false);
}

function phoneFor(c: (typeof COUNTRIES)[number], index: number): string {
  // A fixed scramble of the index over the free digits, so consecutive numbers are not neighbours.
  const room = 10 ** (c.digits - 1);
  const scrambled = (index * 7_919 + 12_345) % room;
  return `${c.prefix}${c.first}${String(scrambled).padStart(c.digits - 1, '0')}`;
}

/** Checks that generated numbers parse as valid numbers of their country; throws on the first that does not. */
export function checkNumbers(perCountry = 200): void {
  for (const c of COUNTRIES) {
    for (let i = 0; i < perCountry; i++) {
      const n = phoneFor(c, i * 997);
      const p = parsePhoneNumber(n);
      if (!p.isValid() || p.country !== c.cc) throw new Error(`generated number ${n} is not a valid ${c.cc} number (${p.country ?? 'no country'})`);
    }
  }
}
