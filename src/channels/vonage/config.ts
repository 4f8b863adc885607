import { z } from 'zod';
import { connectTimeoutSetting, timeoutSetting } from '../http-json.js';

/** Vonage's own SMS API host; the tests' stand-in (or a proxy) is named by `api_base_url`. */
export const VONAGE_API_BASE_URL = 'https://rest.nexmo.com';

/**
 * How the account signs its webhooks, as chosen in Vonage's dashboard: `md5hash` (an MD5 of the
 * parameters and the secret) or an HMAC with MD5, SHA-1, SHA-256 or SHA-512. The names are those
 * of Vonage's own SDKs.
 */
export const VONAGE_SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
export type VonageSignatureMethod = (typeof VONAGE_SIGNATURE_METHODS)[number];

/**
 * A provider of `type: vonage`: SMS through Vonage's SMS API (POST /sms/json) with one account's
 * key and secret. Its delivery receipts come back to verifyd signed with `signature_secret`
 * (Vonage's signed webhooks must be on for the account), so the secret is required: an unsigned
 * receipt would let anyone move an attempt.
 */
export const vonageSettings = () =>
  z.strictObject({
    api_key: z.string().min(1).max(64),
    api_secret: z.string().min(1),
    signature_secret: z.string().min(1),
    signature_method: z.enum(VONAGE_SIGNATURE_METHODS).default('sha256'),
    api_base_url: z
      .url({ protocol: /^https?$/ })
      .default(VONAGE_API_BASE_URL)
      .transform((u) => u.replace(/\/+$/, '')),
    /** The sender: a number, or an alphanumeric sender ID (up to 11 characters) where the destination allows one. */
    from: z.string().min(1).max(15),
    /** Per request to the API; a timeout is retried like any other transport failure. */
    timeout_ms: timeoutSetting,
    /** Connecting (TCP and TLS) past this counts as "not reached": failover moves on (docs/delivery.md, "Failover"). */
    connect_timeout_ms: connectTimeoutSetting,
  });

export type VonageSettings = z.output<ReturnType<typeof vonageSettings>>;
