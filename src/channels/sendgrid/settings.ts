import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { isDisplayName, isEmail } from '../../domain/address.js';
import { connectTimeoutSetting, timeoutSetting } from '../http-json.js';

/** SendGrid's API host; a stand-in (or SendGrid's EU host) is named by `api_base_url`. */
export const SENDGRID_API_BASE_URL = 'https://api.sendgrid.com';

/**
 * The Event Webhook's verification key as SendGrid's Mail Settings show it (base64 of the DER
 * public key; PEM is taken too): an ECDSA P-256 key, read once at start.
 */
const eventWebhookKey = z.string().transform((text, ctx): KeyObject => {
  try {
    const pem = text.includes('-----BEGIN');
    const key = pem ? createPublicKey(text) : createPublicKey({ key: Buffer.from(text.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return key;
  } catch {
    // Reported below, without the text.
  }
  ctx.addIssue({ code: 'custom', message: "must be the Event Webhook's verification key (an ECDSA P-256 public key, base64 or PEM)" });
  return z.NEVER;
});

/** A `sendgrid` provider's keys beside `name` and `type`. */
export const sendgridSettings = z.strictObject({
  /** An API key with the Mail Send permission. */
  api_key: z.string().min(1),
  /** A verified sender (single sender or an authenticated domain's address). */
  from: z.string().refine(isEmail, 'must be an e-mail address'),
  from_name: z.string().refine(isDisplayName, 'must be 1 to 100 characters, none of them a control character').optional(),
  /** A dynamic template for every start that names none in its ChannelConfiguration. */
  template_id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'a SendGrid template id (d-…)').optional(),
  /** Receipts are taken only when SendGrid signs them: without a key, the Event Webhook route refuses everything. */
  event_webhook_public_key: eventWebhookKey.optional(),
  api_base_url: z
    .url({ protocol: /^https?$/ })
    .default(SENDGRID_API_BASE_URL)
    .transform((u) => u.replace(/\/+$/, '')),
  timeout_ms: timeoutSetting,
  /** Connecting (TCP and TLS) past this counts as "not reached": failover moves on (docs/delivery.md, "Failover"). */
  connect_timeout_ms: connectTimeoutSetting,
});

export type SendgridSettings = z.output<typeof sendgridSettings>;
