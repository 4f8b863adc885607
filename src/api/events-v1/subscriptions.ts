import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  updateSubscription,
} from '../../domain/events/subscriptions.js';
import { route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeSubscription } from '../serialize/subscription.js';
import { sidInPath } from './helpers.js';
import { readNewSubscription } from './subscription-params.js';

export function subscriptionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.events;
  const sidOf = (req: FastifyRequest) => sidInPath(req, 'sid', 'DF', (sid) => `/Subscriptions/${sid}`);

  route(app, ctx, 'POST', '/v1/Subscriptions', async (req, reply, p) => {
    const subscription = await createSubscription(deps, req.accountSid, readNewSubscription(p));
    return reply.code(201).send(serializeSubscription(subscription, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v1/Subscriptions', async (req, _reply, p) => {
    const page = readPage(p);
    const sinkSid = p.sid('SinkSid', 'DG');
    const rows = await listSubscriptions(deps, req.accountSid, { sinkSid }, pageQuery(page));
    return envelope('subscriptions', ctx.baseUrl, '/v1/Subscriptions', page, rows, (s) => serializeSubscription(s, ctx.baseUrl), { SinkSid: sinkSid });
  });

  route(app, ctx, 'GET', '/v1/Subscriptions/:sid', async (req) =>
    serializeSubscription(await getSubscription(deps, req.accountSid, sidOf(req)), ctx.baseUrl),
  );

  route(app, ctx, 'POST', '/v1/Subscriptions/:sid', async (req, _reply, p) =>
    serializeSubscription(await updateSubscription(deps, req.accountSid, sidOf(req), p.str('Description')), ctx.baseUrl),
  );

  route(app, ctx, 'DELETE', '/v1/Subscriptions/:sid', async (req, reply) => {
    await deleteSubscription(deps, req.accountSid, sidOf(req));
    return reply.code(204).send();
  });
}
