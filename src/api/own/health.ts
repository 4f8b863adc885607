import type { FastifyInstance } from 'fastify';
import type { ApiContext } from '../context.js';
import type { CredentialRules } from '../plugins/auth.js';
import { notFoundHandler } from '../plugins/errors.js';
import { twilioWire } from '../plugins/twilio-wire.js';

/**
 * GET /healthz for load balancers and monitors (registered under /healthz). Its exact URL takes no
 * credentials, with any method (a wrong one learns 404); anything else under /healthz, a query
 * string included, is an unknown path and answers as one does anywhere: credentials first.
 */
export function healthScope(ctx: ApiContext, credentials: CredentialRules) {
  return async (scope: FastifyInstance): Promise<void> => {
    await twilioWire(scope, ctx.cors);
    credentials.require(scope, async (req) => (req.url === scope.prefix ? undefined : credentials.account(req)));
    scope.setNotFoundHandler(notFoundHandler(ctx.routes));
    scope.get('/', { prefixTrailingSlash: 'no-slash' }, async () => ({ status: 'ok' }));
  };
}
