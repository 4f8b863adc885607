import type { FastifyInstance } from 'fastify';
import { throttleAttempts, fetchAttempt, listAttempts, summarize } from '../../domain/attempts/attempts.js';
import { notFound } from '../../domain/errors.js';
import { isSid } from '../../domain/ids.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { serializeAttempt, serializeSummary } from '../serialize/attempt.js';
import { readAttemptFilter, readSummaryFilter } from './attempt-params.js';

/** GET /v2/Attempts, /v2/Attempts/Summary and /v2/Attempts/{Sid}, rate-limited per account. */
export function attemptRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.attempts;
  route(app, ctx, 'GET', '/v2/Attempts', async (req, _reply, p) => {
    await throttleAttempts(deps, req.accountSid);
    const page = readPage(p);
    const { filter, echo } = readAttemptFilter(p);
    const rows = await listAttempts(deps, req.accountSid, filter, pageQuery(page));
    return envelope('attempts', ctx.baseUrl, '/v2/Attempts', page, rows, (a) => serializeAttempt(a, ctx.baseUrl), echo);
  });

  route(app, ctx, 'GET', '/v2/Attempts/Summary', async (req, _reply, p) => {
    await throttleAttempts(deps, req.accountSid);
    return serializeSummary(await summarize(deps, req.accountSid, readSummaryFilter(p)), ctx.baseUrl);
  });

  route(app, ctx, 'GET', '/v2/Attempts/:sid', async (req) => {
    await throttleAttempts(deps, req.accountSid);
    const sid = pathParam(req, 'sid');
    if (!isSid(sid, 'VL')) throw notFound(`/Attempts/${sid}`);
    return serializeAttempt(await fetchAttempt(deps, req.accountSid, sid), ctx.baseUrl);
  });
}
