import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TwilioError } from '../../domain/errors.js';
import type { Store } from '../../domain/ports.js';

declare module 'fastify' {
  interface FastifyRequest {
    accountSid: string;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function unauthorized(): TwilioError {
  return new TwilioError(20003, 'Authenticate', { headers: { 'WWW-Authenticate': 'Basic realm="verifyd"' } });
}

/**
 * HTTP Basic with an Account SID + Auth Token, or an API key SID + secret (the SDK's
 * `twilio(apiKey, apiSecret, { accountSid })`). Resolves the account every route is scoped to.
 */
export async function authenticate(store: Store, header: string | undefined): Promise<string> {
  // The auth scheme name is case-insensitive (RFC 9110 §11.1), so `basic` is accepted too.
  const m = header === undefined ? null : /^Basic +(\S*) *$/i.exec(header);
  if (!m) throw unauthorized();
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthorized();
  const user = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (user.startsWith('AC') && user.length === 34) {
    const account = await store.getAccount(user);
    // Compare hashes so the comparison length never depends on the secret's length.
    if (account && safeEqual(sha256(secret), sha256(account.authToken))) return account.sid;
  } else if (user.startsWith('SK') && user.length === 34) {
    const key = await store.getApiKey(user);
    if (key && safeEqual(sha256(secret), Buffer.from(key.secretHash, 'hex'))) return key.accountSid;
  }
  throw unauthorized();
}

/** Authenticates a request unless it is public; rejects with the 401 TwilioError. */
export function authChecker(store: Store, isPublic: (req: FastifyRequest) => boolean): (req: FastifyRequest) => Promise<void> {
  return async (request) => {
    if (isPublic(request)) return;
    request.accountSid = await authenticate(store, request.headers.authorization);
  };
}

export function registerAuth(app: FastifyInstance, check: (req: FastifyRequest) => Promise<void>): void {
  app.decorateRequest('accountSid', '');
  app.addHook('onRequest', check);
}
