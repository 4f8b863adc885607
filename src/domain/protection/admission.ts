import { TwilioError } from '../errors.js';
import type { GeoPermissionStore, SafeListStore } from '../ports/protection.js';
import type { Service, VerificationChannel } from '../types.js';
import { geoRefusal, geoRuleFor, isGeoChannel, type GeoDefaults } from './geo.js';
import { judgePumping, type PumpingDeps } from './pumping-guard.js';

/** What the start's protections read: the Safe List, the geo rules and the file's defaults, the pumping guard. */
export interface ProtectionDeps {
  safeList: SafeListStore;
  geo: GeoPermissionStore;
  geoDefaults: GeoDefaults;
  /** The SMS-pumping guard; none: no sms start is judged by it. */
  pumping?: PumpingDeps;
}

export interface Destination {
  channel: VerificationChannel;
  to: string;
  country: string | null;
  riskCheck: 'enable' | 'disable' | null;
}

/**
 * The Safe List, geo permissions' and SMS-pumping guard's verdict on a start (docs/protection.md), read before its
 * transaction: the refusal to raise, or null. The start raises it only after counting its Service
 * Rate Limits, which come first, so that an over-limit start answers 20429 whatever its country,
 * and the rollback takes this refused start's hits back. A safe-listed number is not judged;
 * `RiskCheck=disable` skips the judging for sms only, as Twilio documents it ("For SMS channel only").
 */
export async function protectionRefusal(deps: ProtectionDeps, service: Service, d: Destination): Promise<TwilioError | null> {
  if (!isGeoChannel(d.channel)) return null;
  if (d.channel === 'sms' && d.riskCheck === 'disable') return null;
  const geo = geoRefusal(await geoRuleFor(deps.geo, deps.geoDefaults, service.accountSid, service.sid, d.channel), d.country);
  // The guard is Twilio's RiskCheck, "for SMS channel only"; it counts only starts geo let through.
  const pumping = d.channel === 'sms' ? deps.pumping : undefined;
  // The Safe List is read only where it changes the answer: a refusal it waives, or a guard that would count the start.
  if ((geo || pumping) && (await deps.safeList.getSafeNumber(service.accountSid, d.to))) return null;
  if (geo) return geo;
  return pumping ? judgePumping(pumping, service.sid, d.to, d.country) : null;
}
