/** A Safe List entry (verify.v2.safelist): GN sid, the number in E.164. */
export interface SafeListEntry {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  dateCreated: number;
}

/**
 * Which destination countries a channel may send to: only those listed (`allow`), or all but those
 * (`block`). Countries are ISO 3166-1 alpha-2 codes, upper case.
 */
export interface GeoRule {
  mode: 'allow' | 'block';
  countries: readonly string[];
}
