import type { Clock } from '../clock.js';
import { TwilioError } from '../errors.js';
import type { PumpingReading, PumpingStore } from '../ports/protection.js';
import { THRESHOLDS, decide, isHighCost, pumpingKeys, type PumpingKeys, type PumpingLevel, type PumpingReason } from './pumping.js';

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
    readonly keys: PumpingKeys,
    readonly reason: PumpingReason,
  ) {
    super(60410);
  }
}

/**
 * The guard's decision on a reading of the destination's counters: the reason it blocks, null
 * when it lets the start through, undefined when the service's level is `off`.
 */
export function judgeReading(deps: PumpingDeps, reading: PumpingReading, e164: string, country: string | null): PumpingReason | null | undefined {
  const level = reading.level ?? deps.defaultLevel;
  if (level === 'off') return undefined;
  const { counts } = reading;
  const withThis = { ...counts, rangeStarts: counts.rangeStarts + 1, recentStarts: counts.recentStarts + 1 };
  return decide(THRESHOLDS[level], withThis, isHighCost(deps.highCost, e164, country));
}

/**
 * Judges an sms start on its own (the traffic simulator and the guard's unit tests; a start
 * reads the counters with its other protections, admission.ts): reads the service's level and
 * the destination's counters (one statement), decides, and counts the start as a start does:
 * on its prefix and range when accepted, on its range only when blocked.
 */
export async function judgePumping(deps: PumpingDeps, serviceSid: string, e164: string, country: string | null): Promise<PumpingRefusal | null> {
  const now = deps.clock.now().getTime();
  const keys = pumpingKeys(e164, country);
  const reason = judgeReading(deps, await deps.store.readPumping(serviceSid, keys, now), e164, country);
  if (reason === undefined) return null;
  await deps.store.countStart(serviceSid, keys, reason === null, now);
  return reason === null ? null : new PumpingRefusal(keys, reason);
}

/** Counts a blocked start for the report, once the start has answered 60410. */
export async function recordPumpingBlock(deps: PumpingDeps, accountSid: string, serviceSid: string, refusal: PumpingRefusal): Promise<void> {
  await deps.store.recordBlock(accountSid, serviceSid, refusal.keys.prefix, refusal.reason, deps.clock.now().getTime());
}

/** Counts an approved sms verification on its prefix: the conversion the guard weighs. */
export async function recordPumpingApproval(deps: PumpingDeps, serviceSid: string, v: { channel: string; to: string; country?: string | null; status: string }): Promise<void> {
  if (v.channel !== 'sms' || v.status !== 'approved') return;
  await deps.store.countApproval(serviceSid, pumpingKeys(v.to, v.country ?? null).prefix, deps.clock.now().getTime());
}
