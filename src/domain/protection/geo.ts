import { TwilioError } from '../errors.js';
import type { VerificationChannel } from '../types.js';
import type { GeoRule } from './types.js';

/** The channels geo permissions judge: those that reach a phone number in a country. */
export const GEO_CHANNELS = ['sms', 'call', 'whatsapp', 'sna'] as const;
export type GeoChannel = (typeof GEO_CHANNELS)[number];
export const isGeoChannel = (c: VerificationChannel): c is GeoChannel => (GEO_CHANNELS as readonly string[]).includes(c);

/** The defaults from the configuration file, per channel; a channel with none allows every country. */
export type GeoDefaults = Partial<Record<GeoChannel, GeoRule>>;

export const allows = (rule: GeoRule, country: string): boolean => (rule.mode === 'allow' ? rule.countries.includes(country) : !rule.countries.includes(country));

/** The refusal of a start to a country its channel may not reach (60605, HTTP 403, as Twilio answers), or null. */
export function geoRefusal(rule: GeoRule | undefined, country: string | null): TwilioError | null {
  // A number whose country libphonenumber cannot tell is judged as its own unknown country: an
  // allow list never contains it, a block list never names it.
  return rule && !allows(rule, country ?? '') ? new TwilioError(60605) : null;
}

/** Upper-cased ISO 3166-1 alpha-2 codes, or the list of what is wrong with them. */
export function parseCountries(list: readonly string[]): { countries: string[] } | { problem: string } {
  const countries = [...new Set(list.map((c) => c.trim().toUpperCase()).filter((c) => c !== ''))];
  const bad = countries.filter((c) => !/^[A-Z]{2}$/.test(c));
  if (bad.length > 0) return { problem: `not ISO 3166-1 alpha-2 country codes: ${bad.join(', ')}` };
  if (countries.length === 0) return { problem: 'no country given' };
  return { countries };
}
