import { GEO_CHANNELS, parseCountries, type GeoDefaults } from '../domain/protection/geo.js';
import { isObject } from './file-values.js';

/**
 * The file's `geo_permissions`: per channel (sms, call, whatsapp, sna) either `allow: [GB, US]`
 * (only those countries) or `block: [CU, IR]` (all but those). What it leaves out allows every
 * country; accounts and services override it with the CLI (docs/protection.md).
 */
export function readGeoDefaults(value: unknown, problems: string[]): GeoDefaults {
  const out: GeoDefaults = {};
  if (value === undefined) return out;
  if (!isObject(value)) {
    problems.push('geo_permissions: must be a mapping of channel: {allow: [countries]} or {block: [countries]}');
    return out;
  }
  for (const [channel, rule] of Object.entries(value)) {
    const at = `geo_permissions.${channel}`;
    if (!(GEO_CHANNELS as readonly string[]).includes(channel)) {
      problems.push(`${at}: is not one of ${GEO_CHANNELS.join(', ')}`);
      continue;
    }
    const keys = isObject(rule) ? Object.keys(rule) : [];
    if (!isObject(rule) || keys.length !== 1 || (keys[0] !== 'allow' && keys[0] !== 'block')) {
      problems.push(`${at}: must have exactly one of allow or block`);
      continue;
    }
    const mode = keys[0] as 'allow' | 'block';
    const list = rule[mode];
    if (!Array.isArray(list) || !list.every((c) => typeof c === 'string')) {
      problems.push(`${at}.${mode}: must be a list of country codes`);
      continue;
    }
    const parsed = parseCountries(list);
    if ('problem' in parsed) problems.push(`${at}.${mode}: ${parsed.problem}`);
    else out[channel as keyof GeoDefaults] = { mode, countries: parsed.countries };
  }
  return out;
}
