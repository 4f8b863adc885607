import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidParameter } from '../../domain/errors.js';
import { SINK_STATUSES, type SinkDeps, createSink, deleteSink, getSink, listSinks, testSink, updateSink, validateSink } from '../../domain/events/sinks.js';
import type { BlockedNetworks } from '../../domain/events/networks.js';
import type { SinkStatus } from '../../domain/events/types.js';
import { route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeSink } from '../serialize/sink.js';
import { sidInPath } from './helpers.js';

export function sinkRoutes(app: FastifyInstance, ctx: ApiContext, blockedNetworks: BlockedNetworks): void {
  const deps: SinkDeps = { ...ctx.services, blockedNetworks };
  const sidOf = (req: FastifyRequest, rest = '') => sidInPath(req, 'sid', 'DG', (sid) => `/Sinks/${sid}${rest}`);

  route(app, ctx, 'POST', '/v1/Sinks', async (req, reply, p) => {
    const sink = await createSink(deps, req.accountSid, {
      description: p.str('Description'),
      sinkType: p.str('SinkType'),
      configuration: p.str('SinkConfiguration'),
    });
    return reply.code(201).send(serializeSink(sink, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v1/Sinks', async (req, _reply, p) => {
    const page = readPage(p);
    const inUse = p.bool('InUse');
    const status = p.str('Status');
    if (status !== undefined && !(SINK_STATUSES as readonly string[]).includes(status)) {
      throw invalidParameter('Status', `must be one of ${SINK_STATUSES.join(', ')}`);
    }
    const filter = { inUse, status: status as SinkStatus | undefined };
    const rows = await listSinks(deps, req.accountSid, filter, pageQuery(page));
    return envelope('sinks', ctx.baseUrl, '/v1/Sinks', page, rows, (s) => serializeSink(s, ctx.baseUrl), {
      InUse: inUse === undefined ? undefined : String(inUse),
      Status: status,
    });
  });

  route(app, ctx, 'GET', '/v1/Sinks/:sid', async (req) => serializeSink(await getSink(deps, req.accountSid, sidOf(req)), ctx.baseUrl));

  route(app, ctx, 'POST', '/v1/Sinks/:sid', async (req, _reply, p) =>
    serializeSink(await updateSink(deps, req.accountSid, sidOf(req), p.str('Description')), ctx.baseUrl),
  );

  route(app, ctx, 'DELETE', '/v1/Sinks/:sid', async (req, reply) => {
    await deleteSink(deps, req.accountSid, sidOf(req));
    return reply.code(204).send();
  });

  route(app, ctx, 'POST', '/v1/Sinks/:sid/Test', async (req, reply) => {
    await testSink(deps, req.accountSid, sidOf(req, '/Test'));
    return reply.code(201).send({ result: 'submitted' });
  });

  route(app, ctx, 'POST', '/v1/Sinks/:sid/Validate', async (req, reply, p) => {
    await validateSink(deps, req.accountSid, sidOf(req, '/Validate'), p.str('TestId'));
    return reply.code(201).send({ result: 'valid' });
  });
}
