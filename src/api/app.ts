import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { ServiceDeps } from '../domain/service/service.js';
import type { VerificationDeps } from '../domain/verification/deps.js';
import { inboxRoutes } from './dev/inbox.js';
import { eventsV1Routes } from './events-v1/index.js';
import type { BlockedNetworks } from '../domain/events/networks.js';
import { isSnaPath, snaRoutes } from './dev/sna.js';
import type { ApiContext } from './context.js';
import { authChecker, registerAuth } from './plugins/auth.js';
import { RouteTable, clientErrorHandler, frameworkErrorHandler, registerErrorHandling } from './plugins/errors.js';
import { loggerOptions } from './plugins/logging.js';
import { servicesRoutes } from './verify-v2/services.js';
import { attemptRoutes } from './verify-v2/attempts.js';
import { verificationRoutes } from './verify-v2/verifications.js';

export interface AppDeps {
  services: ServiceDeps;
  verifications: VerificationDeps;
  publicBaseUrl: string;
  bodyLimitBytes: number;
  logLevel: string;
  /** Requests per minute per account to /v2/Attempts* (ATTEMPTS_RATE_LIMIT_PER_MINUTE). */
  attemptsRatePerMinute: number;
  /** Networks webhook sinks may not name (EVENTS_WEBHOOK_BLOCKED_NETWORKS). */
  webhookBlockedNetworks: BlockedNetworks;
  /** Where log lines go instead of stdout (tests capture the log through it). */
  logStream?: DestinationStream;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const isPublic = (req: FastifyRequest) => isSnaPath(req.url) || req.url === '/healthz';
  const checkAuth = authChecker(deps.services.store, isPublic);
  const app = Fastify({
    logger: loggerOptions(deps.logLevel, deps.logStream),
    bodyLimit: deps.bodyLimitBytes,
    // Twilio paths are case-sensitive and never end in a slash; keep fastify from guessing.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 256 },
    // Per-request lines only at debug: at info the log holds what an operator acts on.
    logController: new LogController({ disableRequestLogging: deps.logLevel !== 'debug' && deps.logLevel !== 'trace' }),
    // URLs the router rejects (bad %-encoding, over-long segment) and HTTP parser errors would
    // otherwise get fastify's own error shape instead of Twilio's error JSON.
    frameworkErrors: frameworkErrorHandler(checkAuth),
    clientErrorHandler,
  });
  const routes = new RouteTable();
  const ctx: ApiContext = {
    services: deps.services,
    verifications: deps.verifications,
    routes,
    // Read on use: a server bound to port 0 learns its public URL only after listen.
    get baseUrl() {
      return deps.publicBaseUrl;
    },
  };

  // Only form bodies are accepted: Twilio's API takes no JSON, so a JSON body is a client mistake.
  app.removeAllContentTypeParsers();
  await app.register(formbody);
  registerErrorHandling(app, routes);
  registerAuth(app, checkAuth);
  app.addHook('onSend', async (_req, reply) => {
    // The spec declares CORS headers on every response. Preflight (OPTIONS) is not offered: the API
    // takes account credentials, which do not belong in a browser.
    void reply.header('Access-Control-Allow-Origin', '*');
    void reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    void reply.header('Access-Control-Allow-Methods', 'GET, POST, DELETE');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  servicesRoutes(app, ctx);
  verificationRoutes(app, ctx);
  attemptRoutes(app, ctx, { store: deps.services.store, clock: deps.services.clock, ratePerMinute: deps.attemptsRatePerMinute });
  inboxRoutes(app, ctx);
  snaRoutes(app, ctx);
  // Registered last so the hooks above (auth, CORS headers) apply inside its scope too.
  await app.register(eventsV1Routes(ctx, deps.webhookBlockedNetworks));
  return app;
}
