import { timeoutSetting, connectTimeoutSetting } from '../http-json.js';
import { z } from 'zod';
import type { CodeChannel } from '../../domain/verification/sending.js';

/** Twilio's own API host; a Twilio-compatible carrier (or the tests' stand-in) is named by `api_base_url`. */
export const TWILIO_API_BASE_URL = 'https://api.twilio.com';

const sidOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `a ${prefix}... SID`);
const phoneOrSender = z.string().min(1).max(64);

/**
 * A provider of `type: twilio` in the providers file: SMS and WhatsApp through the Messaging API,
 * calls through the Voice API, with one account's credentials. Each channel is served only when
 * its sender is configured (`sms_from` or `messaging_service_sid`, `whatsapp_from` or
 * `messaging_service_sid`, `voice_from`); the registry refuses a route to a channel it does not serve.
 */
export const twilioProviderSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (it is part of the status callback URL)'),
    type: z.literal('twilio'),
    account_sid: z.string().min(1).max(64),
    auth_token: z.string().min(1),
    api_base_url: z
      .url({ protocol: /^https?$/ })
      .default(TWILIO_API_BASE_URL)
      .transform((u) => u.replace(/\/+$/, '')),
    sms_from: phoneOrSender.optional(),
    messaging_service_sid: sidOf('MG').optional(),
    whatsapp_from: phoneOrSender.optional(),
    /** An approved WhatsApp authentication template: sent as ContentSid with the code as variable 1. */
    whatsapp_content_sid: sidOf('HX').optional(),
    voice_from: phoneOrSender.optional(),
    /** Per request to the API; a timeout is retried like any other transport failure. */
    timeout_ms: timeoutSetting,
    /**
     * How long opening the connection (TCP and TLS) may take. Past it the API certainly took
     * nothing, so a route moves on to its next provider at once (docs/delivery.md, "Failover").
     */
    connect_timeout_ms: connectTimeoutSetting,
  })
  .strict();

export type TwilioProviderConfig = z.output<typeof twilioProviderSchema>;

/** The channels a configuration has a sender for. */
export function twilioChannels(c: TwilioProviderConfig): CodeChannel[] {
  const out: CodeChannel[] = [];
  if (c.sms_from || c.messaging_service_sid) out.push('sms');
  if (c.whatsapp_from || c.messaging_service_sid) out.push('whatsapp');
  if (c.voice_from) out.push('call');
  return out;
}
