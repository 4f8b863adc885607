import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { ServiceDeps } from '../domain/service/service.js';
import type { VerificationDeps } from '../domain/verification/deps.js';
import { inboxRoutes } from './dev/inbox.js';
import { isSnaPath, snaRoutes } from './dev/sna.js';
import type { ApiContext } from './context.js';
import { registerAuth } from './plugins/auth.js';
import { RouteTable, registerErrorHandling } from './plugins/errors.js';
import { loggerOptions } from './plugins/logging.js';
import { servicesRoutes } from './verify-v2/services.js';
import { verificationRoutes } from './verify-v2/verifications.js';

export interface AppDeps {
  services: ServiceDeps;
  verifications: VerificationDeps;
  publicBaseUrl: string;
  bodyLimitBytes: number;
  logLevel: string;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(deps.logLevel),
    bodyLimit: deps.bodyLimitBytes,
    // Twilio paths are case-sensitive and never end in a slash; keep fastify from guessing.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 256 },
    // Per-request lines only at debug: at info the log holds what an operator acts on.
    logController: new LogController({ disableRequestLogging: deps.logLevel !== 'debug' && deps.logLevel !== 'trace' }),
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
  registerAuth(app, deps.services.store, (req) => isSnaPath(req.url) || req.url === '/healthz');
  app.addHook('onSend', async (_req, reply) => {
    // The spec declares CORS headers on every response.
    void reply.header('Access-Control-Allow-Origin', '*');
    void reply.header('Access-Control-Allow-Headers', 'Content-Type, Authorization');
    void reply.header('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  servicesRoutes(app, ctx);
  verificationRoutes(app, ctx);
  inboxRoutes(app, ctx);
  snaRoutes(app, ctx);
  return app;
}
