import type { GeoRule, SafeListEntry } from '../protection/types.js';

/** The account's Safe List: numbers that skip geo permissions and the SMS-pumping guard. */
export interface SafeListStore {
  /** Adds the number, or returns the entry it already has (adding twice changes nothing). */
  addSafeNumber(entry: SafeListEntry): Promise<SafeListEntry>;
  getSafeNumber(accountSid: string, phoneNumber: string): Promise<SafeListEntry | undefined>;
  deleteSafeNumber(accountSid: string, phoneNumber: string): Promise<boolean>;
}

/** Where a geo rule is set: an account's own (serviceSid null) or one of its services'. */
export interface GeoScope {
  accountSid: string;
  serviceSid: string | null;
}

/** Geo permissions set with the CLI, per account and per service, by channel. */
export interface GeoPermissionStore {
  setGeoRule(scope: GeoScope, channel: string, rule: GeoRule, at: number): Promise<void>;
  clearGeoRule(scope: GeoScope, channel: string): Promise<boolean>;
  /** The service's and its account's rules for the channel, whichever are set. */
  geoRulesFor(accountSid: string, serviceSid: string, channel: string): Promise<{ service?: GeoRule; account?: GeoRule }>;
  /** Every rule the account and its services have, for the CLI's listing. */
  listGeoRules(accountSid: string): Promise<Array<{ serviceSid: string | null; channel: string; rule: GeoRule }>>;
}
