import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TwilioError } from '../../domain/errors.js';
import type { CredentialCheck } from './auth.js';

/** What a page of an allowed origin may send (the spec's response headers). */
const ALLOWED = {
  'Access-Control-Allow-Headers': 'Content-Type, Authorization',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE',
} as const;

/**
 * Which browser pages may use the API (CORS_ALLOWED_ORIGINS, none by default). A browser that once
 * answered the Basic prompt sends those credentials with any request to the server, a form posted
 * from any site included; refusing what a browser marks as coming from elsewhere, before the
 * credentials are looked at, keeps such a page from acting as the account. Clients that are not
 * browsers (the SDK, curl) send neither Origin nor Sec-Fetch-Site and are not affected.
 */
export class CorsPolicy {
  private readonly allowed: ReadonlySet<string>;

  /** `origins`: bare origins (`https://console.example.com`), as the config schema checked them. */
  constructor(origins: readonly string[]) {
    this.allowed = new Set(origins);
  }

  /** The request's Origin when it is an allowed one. */
  private allowedOrigin(headers: IncomingHttpHeaders): string | undefined {
    const origin = headers.origin;
    return origin !== undefined && this.allowed.has(origin) ? origin : undefined;
  }

  /**
   * The CORS headers of an answer to a request with these headers: the allowed origin echoed (never
   * `*`), and `Vary: Origin` on every answer, since it depends on the Origin.
   */
  headersFor(headers: IncomingHttpHeaders): Record<string, string> {
    const origin = this.allowedOrigin(headers);
    return origin === undefined ? { Vary: 'Origin' } : { 'Access-Control-Allow-Origin': origin, ...ALLOWED, Vary: 'Origin' };
  }

  /**
   * 403 20403 for a request from a page of another origin: an Origin that is not allowed (any
   * Origin when none is), or `Sec-Fetch-Site: cross-site` without an allowed Origin (a top-level
   * navigation or a no-cors request carries no Origin). An allowed Origin passes whatever
   * Sec-Fetch-Site says, or a console on another site could never use the API.
   */
  refusal(headers: IncomingHttpHeaders): TwilioError | undefined {
    if (this.allowedOrigin(headers) !== undefined) return undefined;
    const crossSite = headers['sec-fetch-site']?.trim().toLowerCase() === 'cross-site';
    if (headers.origin === undefined && !crossSite) return undefined;
    return new TwilioError(20403, 'Forbidden: requests from other sites are refused (see CORS_ALLOWED_ORIGINS)');
  }

  /** `check` behind the refusal: a refused request is answered before its credentials are read. */
  guard(check: CredentialCheck): CredentialCheck {
    return async (req) => {
      const refused = this.refusal(req.headers);
      if (refused) throw refused;
      await check(req);
    };
  }

  /**
   * An onRequest hook answering a CORS preflight from an allowed origin with 204 (the answer's
   * onSend adds the headers), before any credential rule: a preflight never carries credentials.
   * Other preflights go on to the scope's rules, which refuse them where credentials are taken.
   */
  readonly preflight = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return undefined;
    if (this.allowedOrigin(req.headers) === undefined) return undefined;
    return reply.code(204).send();
  };

  /** An onSend hook setting headersFor() on every answer of a scope. */
  readonly onSend = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    void reply.headers(this.headersFor(req.headers));
  };
}
