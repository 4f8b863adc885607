import type { TwilioError } from '../errors.js';
import type { AdmissionStore } from '../ports/protection.js';
import type { Service, VerificationChannel } from '../types.js';
import { geoRefusal, isGeoChannel, type GeoDefaults } from './geo.js';
import { judgeReading, PumpingRefusal, type PumpingDeps } from './pumping-guard.js';
import { pumpingKeys, type PumpingKeys } from './pumping.js';

/** What the start's protections read (the Safe List, the geo rules, the guard's counters) and the file's defaults. */
export interface ProtectionDeps {
  store: AdmissionStore;
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

/** The protections' answer on a start. */
export interface Admission {
  /** The refusal to raise, or null. */
  refusal: TwilioError | null;
  /** An sms start the guard let through: counted on its prefix and range in the start's transaction. */
  pumpingCount: PumpingKeys | null;
}

/** No refusal, nothing to count: what a start without protections gets too. */
export const ADMITTED: Admission = { refusal: null, pumpingCount: null };

/**
 * The Safe List, geo permissions' and SMS-pumping guard's verdict on a start (docs/protection.md),
 * read in one statement before its transaction. The start raises the refusal only after counting
 * its Service Rate Limits, which come first, so that an over-limit start answers 20429 whatever its
 * country, and the rollback takes this refused start's hits back. A safe-listed number is not
 * judged; `RiskCheck=disable` skips the judging for sms only, as Twilio documents it ("For SMS
 * channel only").
 *
 * The guard counts only starts geo let through, each on its range, and on its prefix when it let
 * the start through too. Where the read counted the start already (countsInRead), a refusal takes
 * it back off; otherwise an accepted start is counted by its transaction (pumpingCount) and a
 * blocked one here.
 */
export async function admitStart(deps: ProtectionDeps, service: Service, d: Destination, now: number): Promise<Admission> {
  if (!isGeoChannel(d.channel)) return ADMITTED;
  if (d.channel === 'sms' && d.riskCheck === 'disable') return ADMITTED;
  // The guard is Twilio's RiskCheck, "for SMS channel only".
  const guard = d.channel === 'sms' ? deps.pumping : undefined;
  const pumping = guard ? { keys: pumpingKeys(d.to, d.country), defaultLevel: guard.defaultLevel } : null;
  const read = await deps.store.readAdmission({ accountSid: service.accountSid, serviceSid: service.sid, channel: d.channel, to: d.to, pumping, now });
  if (read.safeListed) return ADMITTED;
  const geo = geoRefusal(read.geo.service ?? read.geo.account ?? deps.geoDefaults[d.channel], d.country);
  // undefined: the service's level is off (and the read counted nothing).
  const reason = guard && read.pumping ? judgeReading(guard, read.pumping, d.to, d.country) : undefined;
  if (!guard || !pumping || reason === undefined) return geo ? { refusal: geo, pumpingCount: null } : ADMITTED;
  const { keys } = pumping;
  const counted = deps.store.countsInRead;
  if (geo) {
    if (counted) await guard.store.uncountStart(service.sid, keys, true, now);
    return { refusal: geo, pumpingCount: null };
  }
  if (reason === null) return { refusal: null, pumpingCount: counted ? null : keys };
  // Blocked: on its range (a burst stays visible while it is blocked), not on its prefix (so it
  // does not drag down the conversion the prefix's legitimate users are judged by).
  if (counted) await guard.store.uncountStart(service.sid, keys, false, now);
  else await guard.store.countStart(service.sid, keys, false, now);
  return { refusal: new PumpingRefusal(keys, reason), pumpingCount: null };
}
