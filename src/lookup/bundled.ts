import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { UNKNOWN_CARRIER, type CarrierInfo, type LookupProvider, type LookupTarget } from '../domain/ports/lookup.js';
import { originalCarrier } from './carrier-prefixes.js';
import { lineTypeOf } from './line-type.js';
import { networkCodes } from './mcc-mnc.js';

/**
 * The lookup verifyd answers on its own, from data bundled with it (no network, no cost):
 * the line type from libphonenumber's full metadata, the carrier a mobile range was first
 * assigned to from Google's carrier prefixes, and MCC/MNC matched from that name (docs/lookup.md
 * says what each source cannot know: ported numbers, MVNOs, NANP carriers).
 */
export class BundledLookup implements LookupProvider {
  async lookup({ e164, country }: LookupTarget): Promise<CarrierInfo> {
    const parsed = parsePhoneNumberFromString(e164);
    if (!parsed) return UNKNOWN_CARRIER;
    const type = lineTypeOf(parsed.getType());
    // Google's carrier data covers mobile ranges only: a name on a landline would be a guess.
    if (type !== 'mobile') return { ...UNKNOWN_CARRIER, type };
    const name = await originalCarrier(parsed.countryCallingCode, parsed.nationalNumber);
    const region = parsed.country ?? country;
    const codes = name !== null && region ? networkCodes(region, name) : null;
    return { mobileCountryCode: codes?.mcc ?? null, mobileNetworkCode: codes?.mnc ?? null, name, type, errorCode: null };
  }
}
