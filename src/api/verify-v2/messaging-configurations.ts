import type { FastifyInstance } from 'fastify';
import {
  createMessagingConfiguration,
  deleteMessagingConfiguration,
  getMessagingConfiguration,
  listMessagingConfigurations,
  updateMessagingConfiguration,
} from '../../domain/messaging/configurations.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeMessagingConfiguration } from '../serialize/messaging-configuration.js';

/** /v2/Services/{ServiceSid}/MessagingConfigurations[/{Country}]: a service's sender profile per country (docs/delivery.md, "Routing"). */
export function messagingConfigurationRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.messagingConfigurations;
  const base = '/v2/Services/:sid/MessagingConfigurations';
  const serialize = (c: Parameters<typeof serializeMessagingConfiguration>[0]) => serializeMessagingConfiguration(c, ctx.baseUrl);

  route(app, ctx, 'POST', base, async (req, reply, p) => {
    const c = await createMessagingConfiguration(deps, req.accountSid, pathParam(req, 'sid'), { country: p.str('Country'), messagingServiceSid: p.str('MessagingServiceSid') });
    return reply.code(201).send(serialize(c));
  });
  route(app, ctx, 'GET', base, async (req, _reply, p) => {
    const page = readPage(p);
    const sid = pathParam(req, 'sid');
    const rows = await listMessagingConfigurations(deps, req.accountSid, sid, pageQuery(page));
    return envelope('messaging_configurations', ctx.baseUrl, `/v2/Services/${sid}/MessagingConfigurations`, page, rows, serialize);
  });
  route(app, ctx, 'GET', `${base}/:country`, async (req) => serialize(await getMessagingConfiguration(deps, req.accountSid, pathParam(req, 'sid'), pathParam(req, 'country'))));
  route(app, ctx, 'POST', `${base}/:country`, async (req, _reply, p) =>
    serialize(await updateMessagingConfiguration(deps, req.accountSid, pathParam(req, 'sid'), pathParam(req, 'country'), p.str('MessagingServiceSid'))),
  );
  route(app, ctx, 'DELETE', `${base}/:country`, async (req, reply) => {
    await deleteMessagingConfiguration(deps, req.accountSid, pathParam(req, 'sid'), pathParam(req, 'country'));
    return reply.code(204).send();
  });
}
