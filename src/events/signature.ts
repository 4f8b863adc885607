import { createHash, createHmac } from 'node:crypto';

/**
 * Twilio's signature for a JSON body: the SHA-256 of the body is appended to the URL as
 * `bodySHA256`, and X-Twilio-Signature is the base64 HMAC-SHA1 of that whole URL keyed with the
 * account's auth token (no form parameters follow it). The request goes to the signed URL, so the
 * receiver sees the same bodySHA256 it validates against (twilio.validateRequestWithBody).
 */
export function signJsonRequest(authToken: string, url: string, body: string): { url: string; signature: string } {
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('hex');
  const signed = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${bodyHash}`;
  const signature = createHmac('sha1', authToken).update(signed, 'utf8').digest('base64');
  return { url: signed, signature };
}
