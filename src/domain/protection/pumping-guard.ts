import type { Clock } from '../clock.js';
import { TwilioError } from '../errors.js';
import type { PumpingStore } from '../ports/protection.js';
import { THRESHOLDS, decide, isHighCost, pumpingKeys, type PumpingLevel, type PumpingReason } from './pumping.js';

/** What the SMS-pumping guard works with. */
export interface PumpingDeps {
  store: PumpingStore;
  clock: Clock;
  /** The level of a service without its own: the file's `pumping_guard.level`, else by mode (production standard, development off). */
  defaultLevel: PumpingLevel;
  /** Destinations judged as high-cost: country codes and `+` prefixes (DEFAULT_HIGH_COST unless the file says). */
  highCost: readonly string[];
}

/** A start the guard blocked: 60410, and what the report counts it under. */
export class PumpingRefusal extends TwilioError {
  constructor(
    readonly prefix: string,
    readonly reason: PumpingReason,
  ) {
    super(60410);
  }
}

/**
 * Judges an sms start: reads the service's level and the destination's counters (one
 * statement), decides, and counts the start (one more): on its range always, so a burst stays
 * visible while it is blocked, and on its prefix only when accepted, so blocked starts do not
 * drag the prefix's conversion down for the legitimate users in it.
 */
export async function judgePumping(deps: PumpingDeps, serviceSid: string, e164: string, country: string | null): Promise<PumpingRefusal | null> {
  const now = deps.clock.now().getTime();
  const keys = pumpingKeys(e164);
  const { level: own, counts } = await deps.store.readPumping(serviceSid, keys, now);
  const level = own ?? deps.defaultLevel;
  if (level === 'off') return null;
  const withThis = { ...counts, rangeStarts: counts.rangeStarts + 1, recentStarts: counts.recentStarts + 1 };
  const reason = decide(THRESHOLDS[level], withThis, isHighCost(deps.highCost, e164, country));
  await deps.store.countStart(serviceSid, keys, reason === null, now);
  return reason === null ? null : new PumpingRefusal(keys.prefix, reason);
}

/** Counts a blocked start for the report, once the start has answered 60410. */
export async function recordPumpingBlock(deps: PumpingDeps, accountSid: string, serviceSid: string, refusal: PumpingRefusal): Promise<void> {
  await deps.store.recordBlock(accountSid, serviceSid, refusal.prefix, refusal.reason, deps.clock.now().getTime());
}

/** Counts an approved sms verification on its prefix: the conversion the guard weighs. */
export async function recordPumpingApproval(deps: PumpingDeps, serviceSid: string, v: { channel: string; to: string; status: string }): Promise<void> {
  if (v.channel !== 'sms' || v.status !== 'approved') return;
  await deps.store.countApproval(serviceSid, pumpingKeys(v.to).prefix, deps.clock.now().getTime());
}
