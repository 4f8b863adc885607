import type { FastifyRequest } from 'fastify';
import { notFound } from '../../domain/errors.js';
import { isSid } from '../../domain/ids.js';
import { findService } from '../../domain/service/service.js';
import type { Service } from '../../domain/types.js';
import { pathParam, type ApiContext } from '../context.js';

/** The service named in the path, if it belongs to the caller's account; 404 otherwise. */
export async function serviceInPath(ctx: ApiContext, req: FastifyRequest, rest: string): Promise<Service> {
  const sid = pathParam(req, 'serviceSid');
  const service = isSid(sid, 'VA') ? await findService(ctx.services, req.accountSid, sid) : undefined;
  if (!service) throw notFound(`/Services/${sid}${rest}`);
  return service;
}
