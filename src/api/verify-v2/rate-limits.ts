import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../../domain/errors.js';
import { isSid } from '../../domain/ids.js';
import * as rl from '../../domain/rate-limits/rate-limits.js';
import type { Service } from '../../domain/types.js';
import { pathParam, route, type ApiContext } from '../context.js';
import { envelope, pageQuery, readPage } from '../paging.js';
import { bucketsPath, rateLimitsPath, serializeBucket, serializeRateLimit } from '../serialize/rate-limit.js';
import { readBucketInput, readRateLimitInput } from './rate-limit-params.js';
import { serviceInPath } from './service-scope.js';

const RATE_LIMITS = '/v2/Services/:serviceSid/RateLimits';
const BUCKETS = `${RATE_LIMITS}/:rateLimitSid/Buckets`;

/** /v2/Services/{ServiceSid}/RateLimits[/{Sid}] and …/{RateLimitSid}/Buckets[/{Sid}]: thin routes over domain/rate-limits. */
export function rateLimitRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const deps = ctx.rateLimits;
  const show = (r: Parameters<typeof serializeRateLimit>[0]) => serializeRateLimit(r, ctx.baseUrl);
  const showBucket = (b: Parameters<typeof serializeBucket>[0]) => serializeBucket(b, ctx.baseUrl);

  /** The service, then each named sid, which must carry its prefix (else the path names nothing: 404). */
  const inPath = async (req: FastifyRequest, ...names: Array<['rateLimitSid' | 'sid', string]>): Promise<{ service: Service; sids: string[] }> => {
    const sids = names.map(([name]) => pathParam(req, name));
    const rest = (req.url.split('?')[0] ?? '').replace(/^\/v2\/Services\/[^/]*/, '');
    const service = await serviceInPath(ctx, req, rest);
    names.forEach(([, prefix], i) => {
      if (!isSid(sids[i], prefix)) throw notFound(`/Services/${service.sid}${rest}`);
    });
    return { service, sids };
  };

  route(app, ctx, 'POST', RATE_LIMITS, async (req, reply, p) => {
    const { service } = await inPath(req);
    return reply.code(201).send(show(await rl.createRateLimit(deps, service, readRateLimitInput(p))));
  });

  route(app, ctx, 'GET', RATE_LIMITS, async (req, _reply, p) => {
    const { service } = await inPath(req);
    const page = readPage(p);
    const rows = await rl.listRateLimits(deps, service, pageQuery(page));
    return envelope('rate_limits', ctx.baseUrl, rateLimitsPath(service.sid), page, rows, show);
  });

  route(app, ctx, 'GET', `${RATE_LIMITS}/:sid`, async (req) => {
    const { service, sids } = await inPath(req, ['sid', 'RK']);
    return show(await rl.getRateLimit(deps, service, sids[0]!));
  });

  route(app, ctx, 'POST', `${RATE_LIMITS}/:sid`, async (req, _reply, p) => {
    const { service, sids } = await inPath(req, ['sid', 'RK']);
    return show(await rl.updateRateLimit(deps, service, sids[0]!, { description: readRateLimitInput(p).description }));
  });

  route(app, ctx, 'DELETE', `${RATE_LIMITS}/:sid`, async (req, reply) => {
    const { service, sids } = await inPath(req, ['sid', 'RK']);
    await rl.deleteRateLimit(deps, service, sids[0]!);
    return reply.code(204).send();
  });

  route(app, ctx, 'POST', BUCKETS, async (req, reply, p) => {
    const { service, sids } = await inPath(req, ['rateLimitSid', 'RK']);
    return reply.code(201).send(showBucket(await rl.createBucket(deps, service, sids[0]!, readBucketInput(p))));
  });

  route(app, ctx, 'GET', BUCKETS, async (req, _reply, p) => {
    const { service, sids } = await inPath(req, ['rateLimitSid', 'RK']);
    const page = readPage(p);
    const rows = await rl.listBuckets(deps, service, sids[0]!, pageQuery(page));
    return envelope('buckets', ctx.baseUrl, bucketsPath(service.sid, sids[0]!), page, rows, showBucket);
  });

  route(app, ctx, 'GET', `${BUCKETS}/:sid`, async (req) => {
    const { service, sids } = await inPath(req, ['rateLimitSid', 'RK'], ['sid', 'BL']);
    return showBucket(await rl.getBucket(deps, service, sids[0]!, sids[1]!));
  });

  route(app, ctx, 'POST', `${BUCKETS}/:sid`, async (req, _reply, p) => {
    const { service, sids } = await inPath(req, ['rateLimitSid', 'RK'], ['sid', 'BL']);
    return showBucket(await rl.updateBucket(deps, service, sids[0]!, sids[1]!, readBucketInput(p)));
  });

  route(app, ctx, 'DELETE', `${BUCKETS}/:sid`, async (req, reply) => {
    const { service, sids } = await inPath(req, ['rateLimitSid', 'RK'], ['sid', 'BL']);
    await rl.deleteBucket(deps, service, sids[0]!, sids[1]!);
    return reply.code(204).send();
  });
}
