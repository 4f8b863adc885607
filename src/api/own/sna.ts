import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invokeSna } from '../../domain/verification/sna.js';
import type { CredentialRules } from '../plugins/auth.js';
import { notFoundHandler } from '../plugins/errors.js';
import { twilioWire } from '../plugins/twilio-wire.js';
import { pathParam, type ApiContext } from '../context.js';

/**
 * The built-in carrier simulator behind `sna.url`, registered under /sna/. It takes no credentials
 * (the URL token is the credential, as with a real carrier URL), for anything under /sna/, unknown
 * paths and methods included, and answers like a carrier: HTTP 200 with a form-encoded result.
 */
export function snaScope(ctx: ApiContext, credentials: CredentialRules) {
  return async (scope: FastifyInstance): Promise<void> => {
    await twilioWire(scope, ctx.cors);
    credentials.require(scope, null);
    scope.setNotFoundHandler(notFoundHandler(ctx.routes));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const result = await invokeSna(ctx.sna, pathParam(req, 'token'));
      const body = result.ok
        ? `ErrorCode=0&ErrorDescription=Success&Carrier=verifyd&SnaClientToken=${result.clientToken}`
        : 'ErrorCode=60520&ErrorDescription=SNA+URL+expired+or+already+used';
      return reply.code(200).type('application/x-www-form-urlencoded').send(body);
    };
    for (const method of ['GET', 'POST'] as const) scope.route({ method, url: ':token', handler });
    ctx.routes.add(`${scope.prefix}:token`);
  };
}
