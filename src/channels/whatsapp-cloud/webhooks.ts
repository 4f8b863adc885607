import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Receipt } from '../../domain/attempts/receipts.js';
import { metaErrorCode, twilioCodeFor } from './errors.js';

/**
 * Meta's webhooks for a WhatsApp Cloud API app: each POST is signed with the app secret
 * (`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`), and carries message statuses
 * in `entry[].changes[].value.statuses[]`.
 */

/** Whether `header` is the app secret's signature of exactly these bytes (compared in constant time). */
export function validHubSignature(appSecret: string, rawBody: Buffer, header: unknown): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) return false;
  const expected = createHmac('sha256', appSecret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(header.slice('sha256='.length), 'hex'));
}

/** The statuses a WhatsApp message goes through, as the Attempts API names them (the same words). */
const STATUSES = new Set(['sent', 'delivered', 'read', 'failed']);

/**
 * Every status in a webhook payload verifyd can record (others, such as `deleted` or incoming
 * messages, are left out), each for the provider `senderOf` names for its change's number.
 */
export function statusReceipts(senderOf: (phoneNumberId: unknown) => string, payload: unknown): Receipt[] {
  const out: Receipt[] = [];
  for (const entry of arrayOf((payload as { entry?: unknown })?.entry)) {
    for (const change of arrayOf((entry as { changes?: unknown })?.changes)) {
      const value = (change as { value?: unknown }).value;
      const providerName = senderOf((value as { metadata?: { phone_number_id?: unknown } })?.metadata?.phone_number_id);
      for (const s of arrayOf((value as { statuses?: unknown })?.statuses)) {
        const { id, status, errors } = s as { id?: unknown; status?: unknown; errors?: unknown };
        if (typeof id !== 'string' || id === '' || typeof status !== 'string' || !STATUSES.has(status)) continue;
        const errorCode = status === 'failed' ? twilioCodeFor(metaErrorCode(arrayOf(errors)[0])) : null;
        out.push({ providerName, providerMessageId: id, status, errorCode });
      }
    }
  }
  return out;
}

const arrayOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
