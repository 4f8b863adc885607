import { createHash, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { TwilioError } from '../../domain/errors.js';
import type { AccountStore } from '../../domain/ports.js';
import { sameBytes } from '../../domain/constant-time.js';

declare module 'fastify' {
  interface FastifyRequest {
    accountSid: string;
  }
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function unauthorized(): TwilioError {
  return new TwilioError(20003, 'Authenticate', { headers: { 'WWW-Authenticate': 'Basic realm="verifyd"' } });
}

/** Far above any real credential (a 34-character SID and a secret, in base64): longer is refused unread. */
export const MAX_AUTHORIZATION_LENGTH = 1024;

/**
 * The credentials of `Basic <token>` (the scheme name in any case, RFC 9110 §11.1; spaces around the
 * token), or undefined. One pass over the header: the regular expression it replaces backtracked
 * quadratically on a run of spaces followed by a tab, a CPU denial of service before any credential
 * was checked.
 */
export function basicToken(header: string): string | undefined {
  if (header.length < 6 || header.slice(0, 5).toLowerCase() !== 'basic' || header[5] !== ' ') return undefined;
  let start = 6;
  while (header[start] === ' ') start++;
  let end = start;
  while (end < header.length && !/\s/.test(header[end]!)) end++;
  for (let rest = end; rest < header.length; rest++) if (header[rest] !== ' ') return undefined;
  return header.slice(start, end);
}

/**
 * HTTP Basic with an Account SID + Auth Token, or an API key SID + secret (the SDK's
 * `twilio(apiKey, apiSecret, { accountSid })`). Resolves the account every route is scoped to.
 */
export async function authenticate(store: AccountStore, header: string | undefined): Promise<string> {
  const token = header === undefined || header.length > MAX_AUTHORIZATION_LENGTH ? undefined : basicToken(header);
  if (token === undefined) throw unauthorized();
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw unauthorized();
  const user = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (user.startsWith('AC') && user.length === 34) {
    const account = await store.getAccount(user);
    // Compare hashes so the comparison length never depends on the secret's length. Both tokens
    // are compared, always, so the time taken does not say whether there is a secondary one.
    if (account) {
      const given = sha256(secret);
      const primary = sameBytes(given, sha256(account.authToken));
      const secondary = sameBytes(given, sha256(account.secondaryAuthToken ?? randomUUID()));
      if (primary || secondary) return account.sid;
    }
  } else if (user.startsWith('SK') && user.length === 34) {
    const key = await store.getApiKey(user);
    if (key && sameBytes(sha256(secret), Buffer.from(key.secretHash, 'hex'))) return key.accountSid;
  }
  throw unauthorized();
}

/**
 * Remembers credentials that verified, for a few seconds, so a client's burst of requests costs one
 * lookup. Keyed by a SHA-256 of the whole header: only the exact secret that verified hits, a wrong
 * one always goes to the store. A change that takes an account's credential away (a token
 * promoted or replaced, a key deleted) drops that account's entries at once (`invalidate`, called
 * for changes this node made and, on PostgreSQL, those other processes announced); the window
 * (CREDENTIAL_CACHE_MS) only bounds what a missed announcement leaves behind (SQLite with the CLI
 * in another process: it has no announcements).
 */
export const CREDENTIAL_CACHE_MS = 5_000;
const CACHE_LIMIT = 10_000;

export class CredentialCache extends EventEmitter<{ invalidated: [accountSid: string | null] }> {
  private readonly entries = new Map<string, { accountSid: string; until: number }>();
  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs: number = CREDENTIAL_CACHE_MS,
  ) {
    super();
  }

  get(header: string): string | undefined {
    const key = sha256(header).toString('base64');
    const hit = this.entries.get(key);
    if (hit && hit.until > this.now()) return hit.accountSid;
    if (hit) this.entries.delete(key);
    return undefined;
  }

  set(header: string, accountSid: string): void {
    if (this.ttlMs === 0) return;
    // Map keeps insertion order: dropping the oldest entry bounds memory under many distinct keys.
    if (this.entries.size >= CACHE_LIMIT) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(sha256(header).toString('base64'), { accountSid, until: this.now() + this.ttlMs });
  }

  /** Drops the account's entries (every entry for null), then emits `invalidated` (observable in tests). */
  invalidate(accountSid: string | null): void {
    for (const [key, hit] of this.entries) if (accountSid === null || hit.accountSid === accountSid) this.entries.delete(key);
    this.emit('invalidated', accountSid);
  }
}

export type CredentialCheck = (req: FastifyRequest) => Promise<void>;

/** Authenticates a request as an account (see `authenticate`); rejects with the 401 TwilioError. */
export function accountAuth(store: AccountStore, cache: CredentialCache = new CredentialCache()): CredentialCheck {
  return async (request) => {
    const header = request.headers.authorization;
    const cached = header === undefined ? undefined : cache.get(header);
    if (cached !== undefined) {
      request.accountSid = cached;
      return;
    }
    request.accountSid = await authenticate(store, header);
    cache.set(header as string, request.accountSid);
  };
}

const failClosed: CredentialCheck = async () => {
  throw unauthorized();
};

/**
 * Each scope's credential rule, by the prefix the scope was registered under. A scope declares its
 * rule once (`require`): it runs before the scope's routes and its not-found answers. Fastify rejects
 * some URLs before routing (`frameworkErrors`), so no scope hook runs for them; `ruleFor` finds the
 * scope's rule the way fastify finds a scope's not-found handler: the longest prefix the path is
 * equal to or below.
 */
export class CredentialRules {
  private readonly rules = new Map<string, CredentialCheck | null>();

  /** `account`: the Basic-auth check of the Twilio API, for scopes that take account credentials. */
  constructor(readonly account: CredentialCheck) {}

  /** `check` runs first for every request in `scope`; null: the scope takes no credentials. */
  require(scope: FastifyInstance, check: CredentialCheck | null): void {
    if (check) scope.addHook('onRequest', check);
    this.rules.set(scope.prefix, check);
  }

  ruleFor(url: string): CredentialCheck | null {
    const path = url.split('?')[0] ?? '';
    let best: string | undefined;
    for (const prefix of this.rules.keys()) {
      const below = path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
      if (below && (best === undefined || prefix.length > best.length)) best = prefix;
    }
    // Every path is below the Twilio API's prefix (''); should none match, fail closed.
    if (best === undefined) return failClosed;
    return this.rules.get(best) ?? null;
  }
}
