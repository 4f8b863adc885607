import { isPumpingLevel, parseHighCost, PUMPING_LEVELS, type PumpingLevel } from '../domain/protection/pumping.js';
import { isObject, onlyKeys } from './file-values.js';

/** The file's `pumping_guard`: the level of every service without its own, and the high-cost destinations. */
export interface PumpingGuardFile {
  level?: PumpingLevel;
  highCost?: string[];
}

/**
 * `pumping_guard: {level: standard, high_cost: [+882, XX]}`. The level is what services without
 * their own (set with the CLI) get, instead of the mode's default; `high_cost` replaces the
 * built-in list (docs/protection.md).
 */
export function readPumpingGuard(value: unknown, problems: string[]): PumpingGuardFile {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push('pumping_guard: must be a mapping with level and/or high_cost');
    return {};
  }
  const out: PumpingGuardFile = {};
  onlyKeys(value, 'pumping_guard', ['level', 'high_cost'], problems);
  if (value.level !== undefined) {
    if (isPumpingLevel(value.level)) out.level = value.level;
    else problems.push(`pumping_guard.level: must be one of ${PUMPING_LEVELS.join(', ')}`);
  }
  if (value.high_cost !== undefined) {
    if (!Array.isArray(value.high_cost)) problems.push('pumping_guard.high_cost: must be a list of country codes or +prefixes');
    else {
      const parsed = parseHighCost(value.high_cost);
      if ('problem' in parsed) problems.push(`pumping_guard.high_cost: ${parsed.problem}`);
      else out.highCost = parsed.entries;
    }
  }
  return out;
}
