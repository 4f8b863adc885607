import type { FastifyInstance } from 'fastify';
import { notFound } from '../../domain/errors.js';
import { EVENT_TYPES, eventType } from '../../domain/events/catalog.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { serializeEventType } from '../serialize/event-type.js';
import { keyedEnvelope, readKeyedPage, slicePage } from './helpers.js';

/** The event types verifyd emits, from the catalog (the same for every account). */
export function eventTypeRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'GET', '/v1/Types', async (_req, _reply, p) => {
    const page = readKeyedPage(p);
    const schemaId = p.str('SchemaId');
    // An unknown SchemaId filters everything out, as any filter that matches nothing.
    const all = schemaId === undefined ? EVENT_TYPES : EVENT_TYPES.filter((t) => t.schemaId === schemaId);
    const rows = slicePage(all, page, (t, after) => t.type > after);
    return keyedEnvelope('types', ctx.baseUrl, '/v1/Types', page, rows, (t) => t.type, (t) => serializeEventType(t, ctx.baseUrl), { SchemaId: schemaId });
  });

  route(app, ctx, 'GET', '/v1/Types/:type', async (req) => {
    const type = pathParam(req, 'type');
    const info = eventType(type);
    if (!info) throw notFound(`/Types/${type}`);
    return serializeEventType(info, ctx.baseUrl);
  });
}
