import type { VerificationChannel, Price } from './types.js';

/**
 * What an attempt costs, set when the attempt is made: a per-country price for the channel, else
 * the default price for the channel, else none (`price: null`). Values are decimal strings, as
 * Twilio returns them, so no float rounding creeps in.
 */
export interface PriceTable {
  currency: string;
  default: Partial<Record<VerificationChannel, string>>;
  countries: Record<string, Partial<Record<VerificationChannel, string>>>;
}

export const NO_PRICES: PriceTable = { currency: 'usd', default: {}, countries: {} };

export function priceFor(table: PriceTable, channel: VerificationChannel, country: string | null): Price | null {
  const value = (country !== null ? table.countries[country]?.[channel] : undefined) ?? table.default[channel];
  return value === undefined ? null : { value, currency: table.currency };
}
