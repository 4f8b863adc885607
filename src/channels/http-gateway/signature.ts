import { createHmac } from 'node:crypto';
import { sameText } from '../../domain/constant-time.js';
import { freshTimestamp } from '../signed-timestamp.js';

/**
 * The gateway's signature, both ways (docs/delivery.md, "Your own HTTP gateway"): the lower-case hex
 * HMAC-SHA256, keyed with the provider's secret, of the timestamp (Unix seconds, as sent in
 * X-Verifyd-Timestamp), a dot, and the body exactly as sent. The timestamp is signed so that a
 * recorded request cannot be replayed once it falls outside the window.
 */
export const TIMESTAMP_HEADER = 'x-verifyd-timestamp';
export const SIGNATURE_HEADER = 'x-verifyd-signature';

/** How far a receipt's timestamp may be from verifyd's clock. */
export const GATEWAY_TIMESTAMP_WINDOW_SECONDS = 300;

export function gatewaySignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The two headers for `body` sent at `nowMs`. */
export function gatewayHeaders(secret: string, body: string, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: gatewaySignature(secret, timestamp, body) };
}

/** Whether the headers sign `body` with the secret, at a timestamp within the window around `nowMs`; constant time. */
export function validGatewaySignature(secret: string, timestamp: unknown, signature: unknown, body: string, nowMs: number): boolean {
  if (typeof signature !== 'string' || !freshTimestamp(timestamp, nowMs, GATEWAY_TIMESTAMP_WINDOW_SECONDS)) return false;
  return sameText(gatewaySignature(secret, timestamp, body), signature.toLowerCase());
}
