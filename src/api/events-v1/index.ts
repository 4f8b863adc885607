import type { FastifyInstance } from 'fastify';
import { eventsInvalidParam } from '../../domain/errors.js';
import type { ApiContext } from '../context.js';
import { schemaRoutes } from './schemas.js';
import { sinkRoutes } from './sinks.js';
import { subscribedEventRoutes } from './subscribed-events.js';
import { subscriptionRoutes } from './subscriptions.js';
import { eventTypeRoutes } from './types.js';

/**
 * Event Streams (/v1), registered in a scope of its own. It is not a Verify API: the shared
 * parsers (Params, paging, the NUL check in route()) raise Twilio's generic 20001 here.
 */
export function eventsV1Routes(ctx: ApiContext) {
  const v1: ApiContext = {
    services: ctx.services,
    verifications: ctx.verifications,
    attempts: ctx.attempts,
    events: ctx.events,
    inbox: ctx.inbox,
    sna: ctx.sna,
    routes: ctx.routes,
    invalidParam: eventsInvalidParam,
    // Read on use, as the app's: the base URL of a server on port 0 is known only after listen.
    get baseUrl() {
      return ctx.baseUrl;
    },
  };
  return async (scope: FastifyInstance): Promise<void> => {
    sinkRoutes(scope, v1);
    subscriptionRoutes(scope, v1);
    subscribedEventRoutes(scope, v1);
    eventTypeRoutes(scope, v1);
    schemaRoutes(scope, v1);
  };
}
