import type { LookupProvider } from '../domain/ports/lookup.js';
import type { LookupDeps } from '../domain/verification/lookup.js';
import type { Log } from '../log.js';
import { BundledLookup } from './bundled.js';
import type { LookupSettings } from './settings.js';
import { TwilioLookup } from './twilio.js';

/** The lookup VERIFYD_CONFIG's `lookup` names (the bundled data without one). */
export function buildLookup(settings: LookupSettings, log: Pick<Log, 'warn'>): LookupDeps {
  const bundled = new BundledLookup();
  const provider: LookupProvider = settings.type === 'twilio' ? new TwilioLookup(settings, bundled, log) : bundled;
  return { provider, canadaEnabled: settings.canada_carrier_data };
}
