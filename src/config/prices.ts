import { readFileSync } from 'node:fs';
import type { VerificationChannel } from '../domain/types.js';
import type { PriceTable } from '../domain/prices.js';

/** PRICE_TABLE: the JSON itself, or `@path` to a file holding it. */
export function readPriceTable(value: string): PriceTable {
  return parsePriceTable(value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value);
}

const DECIMAL = /^\d{1,9}(\.\d{1,9})?$/;
const CHANNELS = new Set(['sms', 'call', 'whatsapp', 'email', 'sna']);

/** Parses and validates PRICE_TABLE JSON; throws an Error naming the first bad entry. */
export function parsePriceTable(json: string): PriceTable {
  const raw = parseJson(json);
  // Not an object: `null` used to crash on `raw.currency` (a TypeError, not a message naming the
  // problem) and `[]`, `5` or `"x"` were taken for an empty table. An unknown key (a typo such as
  // "defaults") used to be ignored silently, leaving every price null.
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('must be a JSON object with currency, default and countries');
  const unknownKey = Object.keys(raw).find((k) => !['currency', 'default', 'countries'].includes(k));
  if (unknownKey !== undefined) throw new Error(`${unknownKey} is not one of currency, default, countries`);
  const prices = (where: string, v: unknown): Partial<Record<VerificationChannel, string>> => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where} must be an object of channel: "price"`);
    for (const [channel, price] of Object.entries(v)) {
      if (!CHANNELS.has(channel)) throw new Error(`${where}.${channel} is not a channel`);
      if (typeof price !== 'string' || !DECIMAL.test(price)) throw new Error(`${where}.${channel} must be a decimal string like "0.0079"`);
    }
    return v as Partial<Record<VerificationChannel, string>>;
  };
  const table = raw as Record<string, unknown>;
  const currency = table.currency ?? 'usd';
  if (typeof currency !== 'string' || !/^[a-z]{3}$/i.test(currency)) throw new Error('currency must be a 3-letter code');
  const countries: PriceTable['countries'] = {};
  const rawCountries = table.countries ?? {};
  if (rawCountries === null || typeof rawCountries !== 'object' || Array.isArray(rawCountries)) throw new Error('countries must be an object');
  for (const [cc, v] of Object.entries(rawCountries)) {
    if (!/^[A-Z]{2}$/.test(cc)) throw new Error(`countries.${cc} is not an ISO 3166 alpha-2 code`);
    countries[cc] = prices(`countries.${cc}`, v);
  }
  return { currency: currency.toLowerCase(), default: prices('default', table.default ?? {}), countries };
}

/**
 * JSON.parse's own message quotes the text around the error, and PRICE_TABLE=@path may name a file
 * that holds other things than prices: say where the JSON breaks, never what it says.
 */
function parseJson(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    throw new SyntaxError(at === undefined ? 'is not valid JSON' : `is not valid JSON (at character ${at})`);
  }
}
