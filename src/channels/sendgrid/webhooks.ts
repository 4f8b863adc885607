import { verify, type KeyObject } from 'node:crypto';
import type { Receipt } from '../../domain/attempts/receipts.js';
import { isFailedStatus, SEND_FAILED_UNKNOWN } from '../../domain/verification/sending.js';

/**
 * SendGrid's signed Event Webhook: a POST of a JSON array of events, with
 * `X-Twilio-Email-Event-Webhook-Signature` (base64 of an ECDSA P-256 / SHA-256 signature, DER) over
 * the `X-Twilio-Email-Event-Webhook-Timestamp` header's text followed by the raw body.
 */
export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** Whether `signature` is SendGrid's over `timestamp` and exactly these bytes. */
export function validEventSignature(key: KeyObject, timestamp: unknown, rawBody: Buffer, signature: unknown): boolean {
  if (typeof timestamp !== 'string' || !/^\d{1,20}$/.test(timestamp) || typeof signature !== 'string' || signature.length > 200) return false;
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp), rawBody]), { key, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/**
 * The events that move an attempt, as the Attempts API's message statuses: SendGrid has the
 * message (`processed`: sent), the receiving server took it (`delivered`), refused it (`bounce`,
 * also its `blocked` kind: undelivered), or SendGrid would not send it (`dropped`: failed).
 * `deferred` (the receiving server asked to try later) and engagement events move nothing.
 */
const STATUSES: ReadonlyMap<unknown, string> = new Map([
  ['processed', 'sent'],
  ['delivered', 'delivered'],
  ['bounce', 'undelivered'],
  ['dropped', 'failed'],
]);

/**
 * The X-Message-Id Mail Send answered with, from an event's `sg_message_id`, which starts with it:
 * `<X-Message-Id>.filter…` (or `.recvd-…`); the X-Message-Id itself may hold dots in older accounts.
 */
export function xMessageIdOf(sgMessageId: string): string {
  const parts = sgMessageId.split('.');
  const end = parts.findIndex((p, i) => i > 0 && /^(filter|recvd)/.test(p));
  return end > 0 ? parts.slice(0, end).join('.') : (parts[0] ?? '');
}

/** Every event of a payload that moves an attempt (SendGrid has no error codes: a failure is 30008). */
export function eventReceipts(providerName: string, payload: unknown): Receipt[] {
  const out: Receipt[] = [];
  for (const e of Array.isArray(payload) ? payload : []) {
    const { event, sg_message_id: id } = (e ?? {}) as { event?: unknown; sg_message_id?: unknown };
    const status = STATUSES.get(event);
    if (status === undefined || typeof id !== 'string' || id === '') continue;
    const failed = isFailedStatus(status);
    out.push({ providerName, providerMessageId: xMessageIdOf(id), status, errorCode: failed ? SEND_FAILED_UNKNOWN : null });
  }
  return out;
}
