import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { verifyInvalidParam } from '../domain/errors.js';
import type { AccountStore } from '../domain/ports.js';
import type { ApiContext, DomainDeps } from './context.js';
import { healthScope } from './own/health.js';
import { inboxScope } from './own/inbox.js';
import { sendgridScope, whatsappCloudScope, type ProviderWebhookSecrets } from './own/provider-webhooks.js';
import { snaScope } from './own/sna.js';
import { receiptCallbacksScope, type SignedReceipts } from './own/receipt-callbacks.js';
import { twilioCallbacksScope, type TwilioCallbackTokens } from './own/twilio-callbacks.js';
import { CredentialRules, accountAuth, type CredentialCache } from './plugins/auth.js';
import { CorsPolicy } from './plugins/cors.js';
import { RouteTable, clientErrorHandler, expectationFailed, frameworkErrorHandler } from './plugins/errors.js';
import { loggerOptions } from './plugins/logging.js';
import { twilioApi } from './twilio-scope.js';

export interface AppDeps extends DomainDeps {
  /** Whom credentials are checked against. */
  accounts: AccountStore;
  /** Credentials that verified lately (dropped when the store announces a change). */
  credentialCache?: CredentialCache;
  publicBaseUrl: string;
  /** The configured Twilio providers' auth tokens, which their status callbacks are signed with. */
  twilioCallbacks: TwilioCallbackTokens;
  /** The configured WhatsApp Cloud and SendGrid providers' webhook secrets, which their receipts are checked with. */
  providerWebhooks: ProviderWebhookSecrets;
  /** How the receipts of the Vonage providers and HTTP gateways are checked and read, by provider name. */
  signedReceipts: SignedReceipts;
  bodyLimitBytes: number;
  logLevel: string;
  /** Browser origins allowed to use the API (CORS_ALLOWED_ORIGINS); requests from others are refused. */
  corsAllowedOrigins: readonly string[];
  /** verifyd's development scopes; one that is off is not registered, so its paths answer as unknown ones do. */
  ownScopes: { inbox: boolean; sna: boolean };
  /** Where log lines go instead of stdout (tests capture the log through it). */
  logStream?: DestinationStream;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const cors = new CorsPolicy(deps.corsAllowedOrigins);
  // Wherever account credentials are taken, a request from another site is refused before they are read.
  const credentials = new CredentialRules(cors.guard(accountAuth(deps.accounts, deps.credentialCache)));
  const app = Fastify({
    logger: loggerOptions(deps.logLevel, deps.logStream),
    bodyLimit: deps.bodyLimitBytes,
    // Twilio paths are case-sensitive and never end in a slash; keep fastify from guessing.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 256 },
    // Per-request lines only at debug: at info the log holds what an operator acts on.
    logController: new LogController({ disableRequestLogging: deps.logLevel !== 'debug' && deps.logLevel !== 'trace' }),
    // URLs the router rejects (bad %-encoding, over-long segment) and HTTP parser errors would
    // otherwise get fastify's own error shape instead of Twilio's error JSON.
    frameworkErrors: frameworkErrorHandler(credentials, cors),
    clientErrorHandler,
  });
  const ctx: ApiContext = {
    services: deps.services,
    templates: deps.templates,
    rateLimits: deps.rateLimits,
    messagingConfigurations: deps.messagingConfigurations,
    verifications: deps.verifications,
    attempts: deps.attempts,
    events: deps.events,
    inbox: deps.inbox,
    sna: deps.sna,
    safeList: deps.safeList,
    routes: new RouteTable(),
    cors,
    invalidParam: verifyInvalidParam,
    // Read on use: a server bound to port 0 learns its public URL only after listen.
    get baseUrl() {
      return deps.publicBaseUrl;
    },
  };
  app.decorateRequest('accountSid', '');
  app.server.on('checkExpectation', expectationFailed(cors));

  // One scope per audience, each with its own credentials, body parsers and error answers; the root
  // holds none, so a route belongs to exactly one set of rules (docs/architecture.md). Not awaited:
  // scopes load at ready(), so they inherit any hook a caller adds to the root before listening.
  void app.register(twilioApi(ctx, credentials));
  if (deps.ownScopes.inbox) void app.register(inboxScope(ctx, credentials), { prefix: '/inbox' });
  if (deps.ownScopes.sna) void app.register(snaScope(ctx, credentials), { prefix: '/sna/' });
  void app.register(healthScope(ctx, credentials), { prefix: '/healthz' });
  void app.register(twilioCallbacksScope(ctx, credentials, deps.twilioCallbacks), { prefix: '/callbacks/twilio/' });
  void app.register(whatsappCloudScope(ctx, credentials, deps.providerWebhooks), { prefix: '/callbacks/whatsapp-cloud/' });
  void app.register(sendgridScope(ctx, credentials, deps.providerWebhooks), { prefix: '/callbacks/sendgrid/' });
  void app.register(receiptCallbacksScope(ctx, credentials, deps.signedReceipts, 'vonage'), { prefix: '/callbacks/vonage/' });
  void app.register(receiptCallbacksScope(ctx, credentials, deps.signedReceipts, 'http'), { prefix: '/callbacks/http/' });
  // Later scopes go beside these with their own prefix and rules: { prefix: '/console' }, { prefix: '/metrics' }.
  return app;
}
