import { createHash, createHmac } from 'node:crypto';
import { sameText } from '../domain/constant-time.js';

/** X-Twilio-Signature over `data`: the base64 HMAC-SHA1 keyed with the auth token. */
function twilioHmac(authToken: string, data: string): string {
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/**
 * Twilio's signature for a JSON body: the SHA-256 of the body is appended to the URL as
 * `bodySHA256`, and X-Twilio-Signature is the base64 HMAC-SHA1 of that whole URL keyed with the
 * account's auth token (no form parameters follow it). The request goes to the signed URL, so the
 * receiver sees the same bodySHA256 it validates against (twilio.validateRequestWithBody).
 */
export function signJsonRequest(authToken: string, url: string, body: string): { url: string; signature: string } {
  const bodyHash = createHash('sha256').update(body, 'utf8').digest('hex');
  const signed = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${bodyHash}`;
  return { url: signed, signature: twilioHmac(authToken, signed) };
}

/**
 * Twilio's signature for a form POST (its webhooks and status callbacks): the full URL, then each
 * parameter's name and value, sorted by name (a repeated name once per distinct value, values sorted),
 * with no separators (twilio.validateRequest).
 */
export function signFormRequest(authToken: string, url: string, params: Readonly<Record<string, string | readonly string[]>>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const v = params[name] as string | readonly string[];
    for (const value of typeof v === 'string' ? [v] : [...new Set(v)].sort()) data += name + value;
  }
  return twilioHmac(authToken, data);
}

/** Whether `signature` is the form signature of the request, compared in constant time. */
export function validFormSignature(authToken: string, signature: string, url: string, params: Readonly<Record<string, string | readonly string[]>>): boolean {
  return sameText(signFormRequest(authToken, url, params), signature);
}
