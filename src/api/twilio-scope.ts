import type { FastifyInstance } from 'fastify';
import type { ApiContext } from './context.js';
import { eventsV1Routes } from './events-v1/index.js';
import type { CredentialRules } from './plugins/auth.js';
import { notFoundHandler } from './plugins/errors.js';
import { twilioWire } from './plugins/twilio-wire.js';
import { attemptRoutes } from './verify-v2/attempts.js';
import { safeListRoutes } from './verify-v2/safe-list.js';
import { rateLimitRoutes } from './verify-v2/rate-limits.js';
import { messagingConfigurationRoutes } from './verify-v2/messaging-configurations.js';
import { servicesRoutes } from './verify-v2/services.js';
import { templateRoutes } from './verify-v2/templates.js';
import { verificationRoutes } from './verify-v2/verifications.js';

/**
 * The Twilio-compatible API (/v2 Verify, /v1 Event Streams): one scope with Twilio's wire rules and
 * account credentials on every request. Registered without a prefix, it also answers every path no
 * other scope claims, as Twilio would: credentials first, then 404, or 405 for a path some route
 * takes with another method.
 */
export function twilioApi(ctx: ApiContext, credentials: CredentialRules) {
  return async (scope: FastifyInstance): Promise<void> => {
    await twilioWire(scope, ctx.cors);
    credentials.require(scope, credentials.account);
    scope.setNotFoundHandler(notFoundHandler(ctx.routes));
    servicesRoutes(scope, ctx);
    verificationRoutes(scope, ctx);
    attemptRoutes(scope, ctx);
    templateRoutes(scope, ctx);
    safeListRoutes(scope, ctx);
    rateLimitRoutes(scope, ctx);
    messagingConfigurationRoutes(scope, ctx);
    await scope.register(eventsV1Routes(ctx));
  };
}
