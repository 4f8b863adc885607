import { createHash, createHmac } from 'node:crypto';
import type { VonageSignatureMethod } from './config.js';
import { sameText } from '../../domain/constant-time.js';
import { freshTimestamp } from '../signed-timestamp.js';

/**
 * Vonage's signature over a request's parameters (its "Signing messages" guide): every parameter
 * but `sig`, sorted by name, written `&name=value` with `&` and `=` in values replaced by `_`;
 * then either the MD5 of that text followed by the secret (`md5hash`) or its HMAC keyed with the
 * secret. Lower-case hex; Vonage compares without regard to case.
 */
export function vonageSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod): string {
  let text = '';
  for (const name of Object.keys(params).sort()) {
    if (name === 'sig') continue;
    text += `&${name}=${(params[name] as string).replace(/[&=]/g, '_')}`;
  }
  if (method === 'md5hash') return createHash('md5').update(text + secret, 'utf8').digest('hex');
  return createHmac(method, secret).update(text, 'utf8').digest('hex');
}

/** How far a signed webhook's `timestamp` may be from verifyd's clock: a replay older than this is refused. */
export const VONAGE_TIMESTAMP_WINDOW_SECONDS = 300;

/**
 * Whether `params` carry a `sig` made with the secret over them and a `timestamp` (Unix seconds)
 * within the window around `nowMs`. The comparison takes the same time wherever they differ.
 */
export function validVonageSignature(params: Readonly<Record<string, string>>, secret: string, method: VonageSignatureMethod, nowMs: number): boolean {
  const { sig, timestamp } = params;
  if (sig === undefined || !freshTimestamp(timestamp, nowMs, VONAGE_TIMESTAMP_WINDOW_SECONDS)) return false;
  return sameText(vonageSignature(params, secret, method).toLowerCase(), sig.toLowerCase());
}
