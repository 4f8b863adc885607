import type { FastifyError, FastifyInstance } from 'fastify';
import { TwilioError, notFound } from '../../domain/errors.js';

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

function toTwilioError(err: FastifyError): TwilioError {
  if (err instanceof TwilioError) return err;
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

/** Every failure leaves as Twilio's error JSON; nothing internal (stack, SQL) reaches the client. */
export function registerErrorHandling(app: FastifyInstance, routes: RouteTable): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const twilio = toTwilioError(err);
    if (twilio.status >= 500) request.log.error({ err }, 'request failed');
    void reply.code(twilio.status).headers(twilio.headers).send(twilio.toJSON());
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    const err = routes.knows(path)
      ? new TwilioError(20004, `Method ${request.method} not allowed on ${path}`)
      : notFound(path.replace(/^\/v[12]/, ''));
    void reply.code(err.status).send(err.toJSON());
  });
}
