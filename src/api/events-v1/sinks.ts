import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createSink, deleteSink, getSink, listSinks, testSink, updateSink, validateSink } from '../../domain/events/sinks.js';
import { route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeSink } from '../serialize/sink.js';
import { sidInPath } from './helpers.js';
import { readNewSink, readSinkFilter } from './sink-params.js';

export function sinkRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.events;
  const sidOf = (req: FastifyRequest, rest = '') => sidInPath(req, 'sid', 'DG', (sid) => `/Sinks/${sid}${rest}`);

  route(app, ctx, 'POST', '/v1/Sinks', async (req, reply, p) => {
    const sink = await createSink(deps, req.accountSid, readNewSink(p));
    return reply.code(201).send(serializeSink(sink, ctx.baseUrl));
  });

  route(app, ctx, 'GET', '/v1/Sinks', async (req, _reply, p) => {
    const page = readPage(p);
    const filter = readSinkFilter(p);
    const rows = await listSinks(deps, req.accountSid, filter, pageQuery(page));
    return envelope('sinks', ctx.baseUrl, '/v1/Sinks', page, rows, (s) => serializeSink(s, ctx.baseUrl), {
      InUse: filter.inUse === undefined ? undefined : String(filter.inUse),
      Status: filter.status,
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
