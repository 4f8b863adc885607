import { TwilioError } from '../errors.js';
import { LOOKUP_ERRORS, UNKNOWN_CARRIER, type CarrierInfo, type LookupProvider } from '../ports/lookup.js';
import type { Service, VerificationChannel } from '../types.js';

/** How starts look numbers up (docs/lookup.md). */
export interface LookupDeps {
  provider: LookupProvider;
  /**
   * Twilio returns no carrier data for Canadian numbers unless the account was approved for it
   * (Lookup error 60601); this deployment's equivalent of that approval (VERIFYD_CONFIG
   * `lookup.canada_carrier_data`).
   */
  canadaEnabled: boolean;
}

/**
 * The carrier a start records, or null when the service does not look numbers up (its `lookup`
 * stays `{}`) or the destination is not a phone number. Runs before the start's transaction: a
 * provider may be a network call. An sms start to a landline on a service that skips them answers
 * 60205 here, before anything is stored or sent.
 */
export async function lookupForStart(deps: LookupDeps, service: Service, channel: VerificationChannel, to: string, country: string | null): Promise<CarrierInfo | null> {
  if (!service.config.lookupEnabled || channel === 'email') return null;
  const carrier = country === 'CA' && !deps.canadaEnabled
    ? { ...UNKNOWN_CARRIER, errorCode: LOOKUP_ERRORS.canadaNotEnabled }
    : await deps.provider.lookup({ e164: to, country });
  // Twilio: SkipSmsToLandlines "requires lookup_enabled", so only a looked-up landline is skipped.
  if (channel === 'sms' && service.config.skipSmsToLandlines && carrier.type === 'landline') throw new TwilioError(60205);
  return carrier;
}
