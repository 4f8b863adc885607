import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TwilioError, notFound } from '../../domain/errors.js';
import { StoreUnavailable } from '../../domain/ports.js';
import type { CredentialRules } from './auth.js';
import type { CorsPolicy } from './cors.js';

/** Route patterns known to the app, so an unmatched request can be told 405 rather than 404. */
export class RouteTable {
  private readonly patterns: RegExp[] = [];
  add(path: string): void {
    const re = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+');
    this.patterns.push(new RegExp(`^${re}$`));
  }
  knows(path: string): boolean {
    return this.patterns.some((re) => re.test(path));
  }
}

/** The database cannot be reached (an outage, a failover): the request may be tried again. */
const unavailable = () => new TwilioError(20503, 'Service unavailable: the database cannot be reached');

function toTwilioError(err: FastifyError): TwilioError {
  if (err instanceof TwilioError) return err;
  if (err instanceof StoreUnavailable) return unavailable();
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new TwilioError(20413);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new TwilioError(400, 'Unsupported Content-Type: send application/x-www-form-urlencoded', { status: 415 });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_BAD_URL':
      return new TwilioError(400, 'Malformed request');
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return new TwilioError(400, 'Malformed request');
  return new TwilioError(20500);
}

/** The path as Twilio names it in a 404 message: without the /v1 or /v2 prefix and the query. */
const resourcePath = (url: string): string => (url.split('?')[0] ?? '').replace(/^\/v[12]/, '') || '/';

/** Every failure leaves as Twilio's error JSON; nothing internal (stack, SQL) reaches the client. */
export function twilioErrorHandler(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const twilio = toTwilioError(err);
  // An outage answers every request 503: one line each, without the stack.
  if (twilio.code === 20503) request.log.warn({ err: err.message }, 'request failed: database unreachable');
  else if (twilio.status >= 500) request.log.error({ err }, 'request failed');
  void reply.code(twilio.status).headers(twilio.headers).send(twilio.toJSON());
}

/** A path no route takes: 405 when some route takes it with another method, 404 otherwise. */
export function notFoundHandler(routes: RouteTable) {
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const path = request.url.split('?')[0] ?? '';
    const err = routes.knows(path) ? new TwilioError(20004, `Method ${request.method} not allowed on ${path}`) : notFound(resourcePath(path));
    void reply.code(err.status).send(err.toJSON());
  };
}

/**
 * Fastify's `frameworkErrors` hook: URLs the router rejects before any route or hook runs (bad
 * percent-encoding in the path, a path segment over maxParamLength). Without it fastify answers in
 * its own `{error, code, statusCode}` shape. No scope's hooks run for these requests, so the
 * credential rule of the scope the URL falls under is applied here first: an unauthenticated caller
 * learns nothing but 401 where that scope takes credentials.
 */
export function frameworkErrorHandler(credentials: CredentialRules, cors: CorsPolicy) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // Answered before any scope ran, so the scope's CORS hook never sees it: set here, as every answer has them.
    const answer = (e: TwilioError) => void reply.code(e.status).headers({ ...cors.headersFor(request.headers), ...e.headers }).send(e.toJSON());
    const check = credentials.ruleFor(request.url);
    (check ? check(request) : Promise.resolve()).then(
      () => answer(err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? notFound(resourcePath(request.url)) : new TwilioError(400, 'Malformed request')),
      (authErr: unknown) => answer(authErr instanceof TwilioError ? authErr : authErr instanceof StoreUnavailable ? unavailable() : new TwilioError(20500)),
    );
  };
}

/**
 * Node's HTTP parser errors (header block too large, garbage request line) never reach fastify's
 * routing; fastify would answer them in its own shape. The reply is written on the raw socket.
 * An oversized header block keeps its HTTP status 431 with the generic code 400, like 415.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const e =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? new TwilioError(400, 'Request header fields too large', { status: 431 })
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new TwilioError(400, 'Request timeout', { status: 408 })
        : new TwilioError(400, 'Malformed request');
  const body = JSON.stringify(e.toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${e.status} ${e.status === 431 ? 'Request Header Fields Too Large' : e.status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

/**
 * An `Expect` other than 100-continue: Node would answer a bare 417 before the request reaches
 * fastify. It gets Twilio's error JSON instead (the generic code 400 with HTTP 417, like 415).
 */
export function expectationFailed(cors: CorsPolicy) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const body = JSON.stringify(new TwilioError(400, 'Expectation failed', { status: 417 }).toJSON());
    res.writeHead(417, { ...cors.headersFor(req.headers), 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  };
}
