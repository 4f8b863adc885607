import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServiceDeps } from '../domain/service/service.js';
import type { VerificationDeps } from '../domain/verification/deps.js';
import type { RouteTable } from './plugins/errors.js';
import { Params, type Form } from './params.js';

/** What route plugins receive: the domain dependencies and the public base URL. */
export interface ApiContext {
  services: ServiceDeps;
  verifications: VerificationDeps;
  baseUrl: string;
  routes: RouteTable;
}

type Handler = (req: FastifyRequest, reply: FastifyReply, p: Params) => Promise<unknown>;

/** Registers a route and records its path for 405 answers; params merge query and form body. */
export function route(app: FastifyInstance, ctx: ApiContext, method: 'GET' | 'POST' | 'DELETE', path: string, handler: Handler): void {
  ctx.routes.add(path);
  app.route({
    method,
    url: path,
    handler: (req, reply) => {
      const form: Form = { ...(req.query as Form), ...((req.body as Form | undefined) ?? {}) };
      return handler(req, reply, new Params(form));
    },
  });
}

export const pathParam = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name] ?? '';
