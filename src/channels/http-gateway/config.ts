import { z } from 'zod';
import { connectTimeoutSetting, timeoutSetting } from '../http-json.js';

const CHANNELS = ['sms', 'call', 'whatsapp', 'email'] as const;

/**
 * A provider of `type: http`: the team's own gateway, sent a signed JSON POST for every code on the
 * channels it takes (all by default). The same secret signs the gateway's receipts back to verifyd.
 */
export const httpGatewaySettings = () =>
  z.strictObject({
    url: z.url({ protocol: /^https?$/ }),
    /** Signs both ways (HMAC-SHA256); long enough not to be guessed. */
    secret: z.string().min(16, 'at least 16 characters'),
    channels: z
      .array(z.enum(CHANNELS))
      .min(1)
      .refine((cs) => new Set(cs).size === cs.length, 'each channel once')
      .default([...CHANNELS]),
    /** Per request; a timeout is retried like any other transport failure. */
    timeout_ms: timeoutSetting,
    /** Connecting (TCP and TLS) past this counts as "not reached": failover moves on (docs/delivery.md, "Failover"). */
    connect_timeout_ms: connectTimeoutSetting,
  });

export type HttpGatewaySettings = z.output<ReturnType<typeof httpGatewaySettings>>;
