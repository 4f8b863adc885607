import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  addSubscribedEvent,
  deleteSubscribedEvent,
  getSubscribedEvent,
  listSubscribedEvents,
  updateSubscribedEvent,
} from '../../domain/events/subscriptions.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { serializeSubscribedEvent } from '../serialize/subscription.js';
import { keyedEnvelope, readKeyedPage, sidInPath } from './helpers.js';

const BASE = '/v1/Subscriptions/:subscriptionSid/SubscribedEvents';

export function subscribedEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.events;
  const sidOf = (req: FastifyRequest) => {
    const type = pathParam(req, 'type');
    return sidInPath(req, 'subscriptionSid', 'DF', (sid) => `/Subscriptions/${sid}/SubscribedEvents${type ? `/${type}` : ''}`);
  };
  const serialize = (e: Parameters<typeof serializeSubscribedEvent>[0]) => serializeSubscribedEvent(e, ctx.baseUrl);

  route(app, ctx, 'POST', BASE, async (req, reply, p) => {
    const { event, created } = await addSubscribedEvent(deps, req.accountSid, sidOf(req), { type: p.str('Type'), schemaVersion: p.int('SchemaVersion') });
    return reply.code(created ? 201 : 200).send(serialize(event));
  });

  route(app, ctx, 'GET', BASE, async (req, _reply, p) => {
    const sid = sidOf(req);
    const page = readKeyedPage(p);
    const rows = await listSubscribedEvents(deps, req.accountSid, sid, { afterType: page.after, offset: page.offset, limit: page.pageSize + 1 });
    return keyedEnvelope('types', ctx.baseUrl, `/v1/Subscriptions/${sid}/SubscribedEvents`, page, rows, (e) => e.type, serialize);
  });

  route(app, ctx, 'GET', `${BASE}/:type`, async (req) => serialize(await getSubscribedEvent(deps, req.accountSid, sidOf(req), pathParam(req, 'type'))));

  route(app, ctx, 'POST', `${BASE}/:type`, async (req, _reply, p) =>
    serialize(await updateSubscribedEvent(deps, req.accountSid, sidOf(req), pathParam(req, 'type'), p.int('SchemaVersion'))),
  );

  route(app, ctx, 'DELETE', `${BASE}/:type`, async (req, reply) => {
    await deleteSubscribedEvent(deps, req.accountSid, sidOf(req), pathParam(req, 'type'));
    return reply.code(204).send();
  });
}
