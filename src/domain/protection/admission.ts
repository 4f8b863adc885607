import type { GeoPermissionStore, SafeListStore } from '../ports/protection.js';
import type { Service, VerificationChannel } from '../types.js';
import { assertGeoAllowed, geoRuleFor, isGeoChannel, type GeoDefaults } from './geo.js';

/** What the start's protections read: the Safe List, the geo rules and the file's defaults. */
export interface ProtectionDeps {
  safeList: SafeListStore;
  geo: GeoPermissionStore;
  geoDefaults: GeoDefaults;
}

export interface Destination {
  channel: VerificationChannel;
  to: string;
  country: string | null;
  riskCheck: 'enable' | 'disable' | null;
}

/**
 * The protections a start passes before anything is stored, in the order of docs/protection.md:
 * (Service Rate Limits come first, in their own step,) then the Safe List, then geo permissions
 * (then the SMS-pumping guard). A safe-listed number skips the rest; `RiskCheck=disable` skips
 * them for sms only, as Twilio documents it ("For SMS channel only"). Throws the refusal.
 */
export async function admit(deps: ProtectionDeps, service: Service, d: Destination): Promise<void> {
  if (!isGeoChannel(d.channel)) return;
  if (d.channel === 'sms' && d.riskCheck === 'disable') return;
  if (await deps.safeList.getSafeNumber(service.accountSid, d.to)) return;
  assertGeoAllowed(await geoRuleFor(deps.geo, deps.geoDefaults, service.accountSid, service.sid, d.channel), d.country);
}
