import type { Clock } from '../clock.js';
import type { CodeKeyring } from '../code/keys.js';
import type { IdGenerator } from '../ids.js';
import type { TemplateStore, VerificationStore } from '../ports.js';
import type { PriceTable } from '../prices.js';
import type { ProtectionDeps } from '../protection/admission.js';
import type { LookupDeps } from './lookup.js';
import type { CodeSender } from './sending.js';

/** Everything the verification use cases need, and nothing more. */
export interface VerificationDeps {
  store: VerificationStore;
  /** Sends codes after a start commits (src/channels routes them to providers). */
  sender: CodeSender;
  /** The account's message templates, which a start's TemplateSid (or its service's default) names. */
  templates: TemplateStore;
  keys: CodeKeyring;
  clock: Clock;
  ids: IdGenerator;
  /** How long a code is valid (Twilio: 10 minutes). */
  ttlMs: number;
  /**
   * Base of the SNA carrier-simulator URL handed out for `sna` verifications; null when there is
   * no SNA provider (SNA_SIMULATOR off): `sna` is then refused with 60223 and `auto` picks sms.
   */
  snaBaseUrl: string | null;
  /** The Safe List and geo permissions a start passes; none (every start passes) when absent. */
  protection?: ProtectionDeps;
  /** Carrier lookups for services with `lookup_enabled` (docs/lookup.md). */
  lookup: LookupDeps;
  /** Prices set on attempts; none when absent. */
  prices?: PriceTable;
}
