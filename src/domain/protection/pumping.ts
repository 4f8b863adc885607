import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/**
 * The SMS-pumping guard's signals and decision (docs/protection.md, "SMS-pumping guard"). Pure:
 * the counts come from the store, time from the caller's clock.
 */

export const PUMPING_LEVELS = ['off', 'basic', 'standard', 'max'] as const;
export type PumpingLevel = (typeof PUMPING_LEVELS)[number];
export const isPumpingLevel = (v: unknown): v is PumpingLevel => (PUMPING_LEVELS as readonly unknown[]).includes(v);

export const PUMPING_REASONS = ['consecutive_numbers', 'low_conversion', 'volume_spike', 'high_cost'] as const;
export type PumpingReason = (typeof PUMPING_REASONS)[number];

/** Counters are per minute; the windows below are whole minutes, the current one included. */
export const BUCKET_MS = 60_000;
/** Starts to one number range within this many minutes make a burst. */
export const RANGE_WINDOW_MIN = 5;
/** The prefix's recent volume: this many minutes. */
export const RECENT_WINDOW_MIN = 10;
/** The prefix's baseline: the hour before the recent window. */
export const BASELINE_WINDOW_MIN = 60;
/**
 * Conversion: approvals in the last 30 minutes over the starts of 30 minutes ending 3 buckets ago,
 * so that every start counted is at least 2 minutes old (a code is mostly entered within 2).
 */
export const CONVERSION_WINDOW_MIN = 30;
export const CONVERSION_LAG_MIN = 3;
/** How far back any counter is read; older rows are purged. */
export const COUNTER_HORIZON_MS = (RECENT_WINDOW_MIN + BASELINE_WINDOW_MIN) * BUCKET_MS;

/** Digits of the national number that, after the country calling code, name the destination prefix. */
export const PREFIX_DIGITS = 3;
/** Digits dropped from the end of a number to name its range (10,000 numbers). */
export const RANGE_DROP_DIGITS = 4;

export interface Thresholds {
  /** More starts than this to one range within RANGE_WINDOW_MIN: a burst to consecutive numbers. */
  rangeMax: number;
  /** Lagged starts needed before the prefix's conversion is judged alone... */
  minSample: number;
  /** ...and the conversion below which it is blocked. */
  minConversion: number;
  /** Recent starts above this and above spikeFactor × the baseline's, in the same number of minutes, are a spike... */
  spikeMin: number;
  spikeFactor: number;
  /** ...blocked when at least spikeSample lagged starts convert below spikeConversion. */
  spikeSample: number;
  spikeConversion: number;
  /** High-cost destinations: recent starts above this are blocked unless they are known to convert. */
  highCostMax: number;
}

/** basic is lenient (a block needs strong evidence), max strict. */
export const THRESHOLDS: Record<Exclude<PumpingLevel, 'off'>, Thresholds> = {
  basic: { rangeMax: 30, minSample: 40, minConversion: 0.05, spikeMin: 40, spikeFactor: 10, spikeSample: 20, spikeConversion: 0.25, highCostMax: 30 },
  standard: { rangeMax: 12, minSample: 25, minConversion: 0.1, spikeMin: 20, spikeFactor: 5, spikeSample: 15, spikeConversion: 0.4, highCostMax: 10 },
  max: { rangeMax: 6, minSample: 15, minConversion: 0.2, spikeMin: 10, spikeFactor: 3, spikeSample: 10, spikeConversion: 0.5, highCostMax: 3 },
};

/** A destination as the guard counts it. */
export interface PumpingKeys {
  /** `+` country calling code and the first PREFIX_DIGITS of the national number: `+44740`. */
  prefix: string;
  /** The number without its last RANGE_DROP_DIGITS digits: `+44740012` for +447400123456. */
  range: string;
}

/**
 * The prefix stands for "country + national destination code": libphonenumber-js has no NDC
 * lengths, so a fixed number of national digits is taken (3: a NANP area code exactly, a mobile
 * operator block elsewhere). The range is the number less its last 4 digits.
 *
 * `country`: the number's region as the start parsed it (null for a non-geographic number). Its
 * calling code splits the number without a second parse, which would cost a guarded start about
 * 15 us (issue 13's CPU aim); an E.164 number is exactly `+`, calling code, national number.
 */
export function pumpingKeys(e164: string, country: string | null = null): PumpingKeys {
  const range = e164.slice(0, Math.max(2, e164.length - RANGE_DROP_DIGITS));
  const known = country === null ? undefined : callingCodeOf(country);
  if (known !== undefined && e164.startsWith(`+${known}`)) return { prefix: e164.slice(0, 1 + known.length + PREFIX_DIGITS), range };
  const parsed = parsePhoneNumberFromString(e164);
  const cc = parsed?.countryCallingCode ?? '';
  const national = parsed?.nationalNumber ?? e164.slice(1);
  return { prefix: `+${cc}${national.slice(0, PREFIX_DIGITS)}`, range };
}

function callingCodeOf(country: string): string | undefined {
  try {
    return getCountryCallingCode(country as CountryCode);
  } catch {
    // Not a region libphonenumber-js knows: the parse decides.
    return undefined;
  }
}

/** What the store sums for one start (this start included where it says so). */
export interface PumpingCounts {
  /** Starts to the range in the last RANGE_WINDOW_MIN minutes, blocked ones included, this one included. */
  rangeStarts: number;
  /** Accepted starts to the prefix in the last RECENT_WINDOW_MIN minutes, this one included. */
  recentStarts: number;
  /** Accepted starts to the prefix in the BASELINE_WINDOW_MIN minutes before those. */
  baselineStarts: number;
  /** Minutes of baseline the prefix has history for (0 to BASELINE_WINDOW_MIN). */
  baselineMinutes: number;
  /** Accepted starts in the conversion window (lagged) and approvals in it. */
  laggedStarts: number;
  approvals: number;
}

/**
 * The decision: the first signal that blocks, or null. Only the burst to consecutive numbers
 * blocks without conversion evidence: a prefix's volume alone (a marketing campaign) never does.
 */
export function decide(t: Thresholds, c: PumpingCounts, highCost: boolean): PumpingReason | null {
  if (c.rangeStarts > t.rangeMax) return 'consecutive_numbers';
  const conversion = c.laggedStarts === 0 ? 1 : c.approvals / c.laggedStarts;
  if (c.laggedStarts >= t.minSample && conversion < t.minConversion) return 'low_conversion';
  const baselineRecent = c.baselineMinutes === 0 ? 0 : (c.baselineStarts / c.baselineMinutes) * RECENT_WINDOW_MIN;
  const spike = c.recentStarts > t.spikeMin && c.recentStarts > t.spikeFactor * baselineRecent;
  if (spike && c.laggedStarts >= t.spikeSample && conversion < t.spikeConversion) return 'volume_spike';
  const provenToConvert = c.laggedStarts >= t.spikeSample && conversion >= t.spikeConversion;
  if (highCost && c.recentStarts > t.highCostMax && !provenToConvert) return 'high_cost';
  return null;
}

/**
 * The destinations treated as high-cost by default: a heuristic, not a price list. International
 * premium-rate (+979), shared-cost (+808) and the satellite and international networks (+870,
 * +881, +882, +883), which legitimate OTP traffic rarely reaches and pumping schemes favour.
 * Replace it with the file's `pumping_guard.high_cost` (country codes or `+` prefixes).
 */
export const DEFAULT_HIGH_COST: readonly string[] = ['+808', '+870', '+881', '+882', '+883', '+979'];

/** Whether a destination matches the list: an ISO country code, or a `+digits` prefix of its E.164. */
export function isHighCost(list: readonly string[], e164: string, country: string | null): boolean {
  return list.some((entry) => (entry.startsWith('+') ? e164.startsWith(entry) : entry === country));
}

/** Upper-cased country codes and `+digits` prefixes, or what is wrong with them. */
export function parseHighCost(list: readonly unknown[]): { entries: string[] } | { problem: string } {
  const entries = list.map((v) => (typeof v === 'string' ? v.trim().toUpperCase() : String(v)));
  const bad = entries.filter((e) => !/^[A-Z]{2}$/.test(e) && !/^\+[1-9]\d{0,6}$/.test(e));
  if (bad.length > 0) return { problem: `not country codes or +prefixes: ${bad.join(', ')}` };
  return { entries: [...new Set(entries)] };
}

/** The minute bucket a time falls in. */
export const bucketOf = (ms: number): number => Math.floor(ms / BUCKET_MS) * BUCKET_MS;
