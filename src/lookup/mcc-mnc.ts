import { all, type Operator } from 'mcc-mnc-list';

/**
 * MCC/MNC for a carrier name, from the mcc-mnc-list package (Wikipedia's "Mobile country code"
 * tables). The two data sets share no key, so they are matched by country and name:
 * - only networks whose status is "Operational" in the number's country count (an entry may list
 *   several countries, `AU/CC/CX`);
 * - names are compared lower-case without accents, spaces or punctuation: the brand or the
 *   operator equal to the carrier name wins, else the first one that starts with it (`O2` finds
 *   `O2 (UK)`, `KDDI` finds `KDDI Corporation`), else the first brand the carrier name starts with;
 * - a few names differ between the sets and are aliased (ALIASES);
 * - among several networks of one operator (T-Mobile US has a dozen MNCs, Airtel India one per
 *   circle) the first in the list wins: a network of that operator, not necessarily the
 *   subscriber's home network, which only an HLR lookup knows.
 * No match: null, as for numbers without carrier data.
 */
const ALIASES: Record<string, string> = {
  // Google's "Three" is the brand "3" (GB, IE, AT, DK, SE, IT, HK).
  three: '3',
  // Deutsche Telekom's mobile network, which Google's data still calls T-Mobile.
  'DE:tmobile': 'telekom',
};

const key = (s: string | null): string =>
  (s ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]/g, '');

interface Network {
  mcc: string;
  mnc: string;
  brand: string;
  operator: string;
}

let byCountry: Map<string, Network[]> | undefined;

function networks(country: string): Network[] {
  if (!byCountry) {
    byCountry = new Map();
    for (const o of all() as Operator[]) {
      if (o.status !== 'Operational' || !o.countryCode) continue;
      for (const cc of o.countryCode.split('/')) {
        const list = byCountry.get(cc) ?? [];
        list.push({ mcc: o.mcc, mnc: o.mnc, brand: key(o.brand), operator: key(o.operator) });
        byCountry.set(cc, list);
      }
    }
  }
  return byCountry.get(country) ?? [];
}

export function networkCodes(country: string, carrierName: string): { mcc: string; mnc: string } | null {
  const raw = key(carrierName);
  if (raw === '') return null;
  const name = ALIASES[`${country}:${raw}`] ?? ALIASES[raw] ?? raw;
  const list = networks(country);
  const found =
    list.find((n) => n.brand === name || n.operator === name) ??
    list.find((n) => n.brand.startsWith(name) || n.operator.startsWith(name)) ??
    list.find((n) => n.brand.length >= 2 && name.startsWith(n.brand));
  return found ? { mcc: found.mcc, mnc: found.mnc } : null;
}
