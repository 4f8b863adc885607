import type { FastifyInstance } from 'fastify';
import { addSafeNumber, getSafeNumber, removeSafeNumber } from '../../domain/protection/safe-list.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { serializeSafeListEntry } from '../serialize/safe-list.js';

/**
 * The account's Safe List: POST /v2/SafeList/Numbers, GET and DELETE /v2/SafeList/Numbers/{PhoneNumber}.
 * The SDK puts the number in the path un-encoded, so its `+` arrives as is (a `%2B` decodes to it too).
 */
export function safeListRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, ctx, 'POST', '/v2/SafeList/Numbers', async (req, reply, p) => {
    const entry = await addSafeNumber(ctx.safeList, req.accountSid, p.required('PhoneNumber'));
    return reply.code(201).send(serializeSafeListEntry(entry, ctx.baseUrl));
  });
  route(app, ctx, 'GET', '/v2/SafeList/Numbers/:PhoneNumber', async (req) =>
    serializeSafeListEntry(await getSafeNumber(ctx.safeList, req.accountSid, pathParam(req, 'PhoneNumber')), ctx.baseUrl),
  );
  route(app, ctx, 'DELETE', '/v2/SafeList/Numbers/:PhoneNumber', async (req, reply) => {
    await removeSafeNumber(ctx.safeList, req.accountSid, pathParam(req, 'PhoneNumber'));
    return reply.code(204).send();
  });
}
