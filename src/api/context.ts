import type { MessagingConfigurationDeps } from '../domain/messaging/configurations.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AttemptsDeps } from '../domain/attempts/attempts.js';
import type { EventDeps } from '../domain/events/sinks.js';
import type { InboxDeps } from '../domain/inbox.js';
import type { SafeListDeps } from '../domain/protection/safe-list.js';
import type { RateLimitDeps } from '../domain/rate-limits/rate-limits.js';
import type { ServiceDeps } from '../domain/service/service.js';
import type { TemplateDeps } from '../domain/templates/templates.js';
import type { VerificationDeps } from '../domain/verification/deps.js';
import type { SnaDeps } from '../domain/verification/sna.js';
import type { CorsPolicy } from './plugins/cors.js';
import type { RouteTable } from './plugins/errors.js';
import { notFound } from '../domain/errors.js';
import { Params, type Form, type InvalidParam } from './params.js';

/** The domain dependencies of every route, one set per use-case family. */
export interface DomainDeps {
  services: ServiceDeps;
  templates: TemplateDeps;
  rateLimits: RateLimitDeps;
  messagingConfigurations: MessagingConfigurationDeps;
  verifications: VerificationDeps;
  attempts: AttemptsDeps;
  events: EventDeps;
  inbox: InboxDeps;
  sna: SnaDeps;
  safeList: SafeListDeps;
}

/** What route plugins receive: the domain dependencies and the public base URL. */
export interface ApiContext extends DomainDeps {
  baseUrl: string;
  routes: RouteTable;
  /** Which browser origins may use the API (CORS_ALLOWED_ORIGINS). */
  cors: CorsPolicy;
  /** This API family's bad-parameter error: Params, paging and route()'s NUL check raise it. */
  invalidParam: InvalidParam;
}

type Handler = (req: FastifyRequest, reply: FastifyReply, p: Params) => Promise<unknown>;

/** Registers a route and records its path for 405 answers; params merge query and form body. */
export function route(app: FastifyInstance, ctx: ApiContext, method: 'GET' | 'POST' | 'DELETE', path: string, handler: Handler): void {
  ctx.routes.add(app.prefix + path);
  app.route({
    method,
    url: path,
    handler: (req, reply) => {
      rejectNul(req);
      // A body kept as text (a carrier's signed receipt) is no form: its NUL is refused where it
      // stands, as the first of its characters would have been named.
      if (typeof req.body === 'string' && req.body.includes('\u0000')) throw ctx.invalidParam(String(req.body.indexOf('\u0000')));
      const body = typeof req.body === 'string' ? undefined : (req.body as Form | undefined);
      const form: Form = { ...(req.query as Form), ...(body ?? {}) };
      for (const [name, value] of Object.entries(form)) {
        if ((Array.isArray(value) ? value : [value]).some(hasNul)) throw ctx.invalidParam(name);
      }
      return handler(req, reply, new Params(form, ctx.invalidParam));
    },
  });
}

export const pathParam = (req: FastifyRequest, name: string): string => (req.params as Record<string, string>)[name] ?? '';

const hasNul = (v: unknown): boolean => typeof v === 'string' && v.includes('\u0000');

/**
 * NUL never belongs in a Twilio parameter or path, and PostgreSQL cannot store or even compare it
 * in text (it fails with "invalid byte sequence"), which surfaced as a 500. A path segment with NUL
 * names nothing (404); a parameter with NUL is an invalid parameter (the family's code, checked in `route`).
 */
function rejectNul(req: FastifyRequest): void {
  if (Object.values((req.params as Record<string, unknown>) ?? {}).some(hasNul)) {
    throw notFound((req.url.split('?')[0] ?? '').replace(/^\/v[12]/, ''));
  }
}
