import type { FastifyInstance } from 'fastify';
import { createService, deleteService, getService, listServices, updateService } from '../../domain/service/service.js';
import { isSid } from '../../domain/ids.js';
import { notFound } from '../../domain/errors.js';
import { route, pathParam, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeService } from '../serialize/service.js';
import { readServicePatch } from './service-params.js';

export function servicesRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.services;
  const sidOf = (req: Parameters<typeof pathParam>[0]) => {
    const sid = pathParam(req, 'sid');
    if (!isSid(sid, 'VA')) throw notFound(`/Services/${sid}`);
    return sid;
  };

  route(app, ctx, 'POST', '/v2/Services', async (req, reply, p) => {
    const service = await createService(deps, req.accountSid, readServicePatch(p));
    return reply.code(201).send(serializeService(service, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v2/Services', async (req, _reply, p) => {
    const page = readPage(p);
    const rows = await listServices(deps, req.accountSid, pageQuery(page));
    return envelope('services', ctx.baseUrl, '/v2/Services', page, rows, (s) => serializeService(s, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v2/Services/:sid', async (req) => {
    return serializeService(await getService(deps, req.accountSid, sidOf(req)), ctx.baseUrl);
  });

  route(app, ctx, 'POST', '/v2/Services/:sid', async (req, _reply, p) => {
    return serializeService(await updateService(deps, req.accountSid, sidOf(req), readServicePatch(p)), ctx.baseUrl);
  });

  route(app, ctx, 'DELETE', '/v2/Services/:sid', async (req, reply) => {
    await deleteService(deps, req.accountSid, sidOf(req));
    return reply.code(204).send();
  });
}
