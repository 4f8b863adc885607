import { TwilioError } from './errors.js';
import { QuotaReached } from './ports/violations.js';

/** What one account may create at most (ACCOUNT_MAX_SERVICES, ACCOUNT_MAX_SINKS, ACCOUNT_MAX_SUBSCRIPTIONS). */
export interface Quotas {
  services: number;
  sinks: number;
  subscriptions: number;
}

export const NO_QUOTAS: Quotas = { services: Infinity, sinks: Infinity, subscriptions: Infinity };

/**
 * Twilio's answer when an account is at its cap: 21102 for Verify services and 91003 for sinks are
 * Twilio's own codes; subscriptions have none, so 91100 ("Subscription could not be created") says
 * why (docs/wire-decisions.md).
 */
const REFUSALS: Record<keyof Quotas, (limit: number) => TwilioError> = {
  services: (limit) => new TwilioError(21102, `Reached maximum number of Services (${limit})`),
  sinks: (limit) => new TwilioError(91003, `Account reached the max sink limit (${limit})`),
  subscriptions: (limit) => new TwilioError(91100, `Subscription could not be created: account reached the max subscription limit (${limit})`),
};

/** Runs an insert that may hit a quota, answering Twilio's error for `what` when it does. */
export async function withinQuota<T>(what: keyof Quotas, insert: () => Promise<T>): Promise<T> {
  try {
    return await insert();
  } catch (err) {
    if (err instanceof QuotaReached) throw REFUSALS[what](err.limit);
    throw err;
  }
}
