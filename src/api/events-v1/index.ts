import type { FastifyInstance } from 'fastify';
import { TwilioError } from '../../domain/errors.js';
import type { BlockedNetworks } from '../../domain/events/networks.js';
import type { ApiContext } from '../context.js';
import { schemaRoutes } from './schemas.js';
import { sinkRoutes } from './sinks.js';
import { subscribedEventRoutes } from './subscribed-events.js';
import { subscriptionRoutes } from './subscriptions.js';
import { eventTypeRoutes } from './types.js';

/**
 * Event Streams (/v1), registered in a scope of its own: the shared helpers (Params, readPage, the
 * NUL check in route()) raise Verify's 60200, which this scope turns into the generic 20001 before
 * the app's error handler answers. Everything else passes through unchanged.
 */
export function eventsV1Routes(ctx: ApiContext, blockedNetworks: BlockedNetworks) {
  return async (scope: FastifyInstance): Promise<void> => {
    scope.setErrorHandler((err: unknown) => {
      // Thrown from an error handler, an error goes on to the parent's handler.
      if (err instanceof TwilioError && err.code === 60200) throw new TwilioError(20001, err.message);
      throw err;
    });
    sinkRoutes(scope, ctx, blockedNetworks);
    subscriptionRoutes(scope, ctx);
    subscribedEventRoutes(scope, ctx);
    eventTypeRoutes(scope, ctx);
    schemaRoutes(scope, ctx);
  };
}
