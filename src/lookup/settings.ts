import { z } from 'zod';

/** Twilio's Lookup API host; a stand-in (or a Twilio-compatible one) is named by `api_base_url`. */
export const TWILIO_LOOKUP_BASE_URL = 'https://lookups.twilio.com';

/** What every lookup configuration has. */
const common = {
  /** Twilio's approval for Canadian carrier data (its Lookup error 60601); off as on Twilio. */
  canada_carrier_data: z.boolean().default(false),
};

/** The bundled data alone (the default: no `lookup` in the file). */
const bundled = z.object({ type: z.literal('bundled'), ...common }).strict();

/** Twilio Lookup v2's Line Type Intelligence, with the bundled data when it fails (docs/lookup.md). */
const twilio = z
  .object({
    type: z.literal('twilio'),
    ...common,
    account_sid: z.string().min(1).max(64),
    auth_token: z.string().min(1),
    api_base_url: z
      .url({ protocol: /^https?$/ })
      .default(TWILIO_LOOKUP_BASE_URL)
      .transform((u) => u.replace(/\/+$/, '')),
    /** A start waits at most this long for the answer, then uses the bundled data. */
    timeout_ms: z.number().int().min(50).max(30_000).default(2_000),
  })
  .strict();

/** VERIFYD_CONFIG's top-level `lookup`. */
export const lookupSettingsSchema = z.discriminatedUnion('type', [bundled, twilio]);

export type LookupSettings = z.output<typeof lookupSettingsSchema>;
export type TwilioLookupSettings = Extract<LookupSettings, { type: 'twilio' }>;

export const DEFAULT_LOOKUP: LookupSettings = { type: 'bundled', canada_carrier_data: false };
