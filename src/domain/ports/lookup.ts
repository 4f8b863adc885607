/**
 * Carrier lookup: what a start on a service with `lookup_enabled` learns about the phone number
 * (docs/lookup.md). verifyd's own implementation reads bundled data (src/lookup/bundled.ts); a
 * team plugs a real HLR or Twilio Lookup v2 behind the same port (src/lookup/twilio.ts).
 */

/** The line types of Verify's `lookup.carrier.type` (Lookup v1's): anything else is unknown (null). */
export const LINE_TYPES = ['mobile', 'landline', 'voip'] as const;
export type LineType = (typeof LINE_TYPES)[number];

/** Verify's `lookup.carrier`, field for field; unknown is null. */
export interface CarrierInfo {
  mobileCountryCode: string | null;
  mobileNetworkCode: string | null;
  name: string | null;
  type: LineType | null;
  /** Twilio's Lookup error code (60601 Canada not enabled, 60608 the provider failed), else null. */
  errorCode: number | null;
}

/** The number to look up, as a start accepted it. */
export interface LookupTarget {
  /** E.164. */
  e164: string;
  /** ISO 3166 alpha-2, as libphonenumber places the number; null when it cannot. */
  country: string | null;
}

export interface LookupProvider {
  /**
   * Never throws and never takes longer than the provider's own timeout: a provider that cannot
   * answer says so in `errorCode` (and gives what it knows otherwise), so a start never fails on it.
   */
  lookup(target: LookupTarget): Promise<CarrierInfo>;
}

export const UNKNOWN_CARRIER: CarrierInfo = { mobileCountryCode: null, mobileNetworkCode: null, name: null, type: null, errorCode: null };

/** Twilio Lookup's error codes verifyd records (docs/lookup.md). */
export const LOOKUP_ERRORS = {
  /** "Authorization required for Canada lookups". */
  canadaNotEnabled: 60601,
  /** "Lookup provider replied with an error": the configured provider failed, bundled data answered. */
  providerFailed: 60608,
} as const;
