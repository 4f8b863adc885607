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
  // The app's context with Event Streams' error: everything else (the base URL getter included,
  // read on use since a server on port 0 learns it after listen) comes from `ctx` itself.
  const v1: ApiContext = Object.create(ctx, { invalidParam: { value: eventsInvalidParam } });
  return async (scope: FastifyInstance): Promise<void> => {
    sinkRoutes(scope, v1);
    subscriptionRoutes(scope, v1);
    subscribedEventRoutes(scope, v1);
    eventTypeRoutes(scope, v1);
    schemaRoutes(scope, v1);
  };
}
