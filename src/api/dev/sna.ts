import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invokeSna } from '../../domain/verification/sna.js';
import { pathParam, type ApiContext } from '../context.js';

/**
 * The built-in carrier simulator behind `sna.url`. It is public (the URL token is the credential,
 * as with a real carrier URL) and answers like one: HTTP 200 with a form-encoded result.
 */
export function snaRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    const result = await invokeSna(ctx.sna, pathParam(req, 'token'));
    const body = result.ok
      ? `ErrorCode=0&ErrorDescription=Success&Carrier=verifyd&SnaClientToken=${result.clientToken}`
      : 'ErrorCode=60520&ErrorDescription=SNA+URL+expired+or+already+used';
    return reply.code(200).type('application/x-www-form-urlencoded').send(body);
  };
  for (const method of ['GET', 'POST'] as const) app.route({ method, url: '/sna/:token', handler });
  ctx.routes.add('/sna/:token');
}

export const isSnaPath = (url: string): boolean => url.startsWith('/sna/');
