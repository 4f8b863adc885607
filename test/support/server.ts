/**
 * A real verifyd on a real port for API tests: the app from src/api/app.ts over a fresh store, and
 * the official twilio SDK pointed at it the way a user would (a RequestClient that rewrites the host).
 */
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import twilio from 'twilio';
import { createAccount, createApiKey } from '../../src/accounts/accounts.js';
import type { CredentialCache } from '../../src/api/plugins/auth.js';
import { compose, composeDispatcher, composeSenders, type Composition } from '../../src/compose.js';
import { loadConfig, type Config } from '../../src/config/config.js';
import { ManualClock, systemClock, type Clock } from '../../src/domain/clock.js';
import type { PriceTable } from '../../src/domain/prices.js';
import type { VerificationDeps } from '../../src/domain/verification/deps.js';
import { InboxProvider } from '../../src/channels/inbox.js';
import type { Provider } from '../../src/channels/provider.js';
import { INBOX_EVERYWHERE } from '../../src/channels/providers.js';
import type { MessagingProfile } from '../../src/channels/registry.js';
import type { FailoverSettings, SenderOptions } from '../../src/channels/sender.js';
import { ProviderRegistry, type Routes } from '../../src/channels/registry.js';
import { ProviderSender } from '../../src/channels/sender.js';
import { twilioCallbackTokens } from '../../src/channels/twilio/callbacks.js';
import { providerWebhookSecrets } from '../../src/channels/webhook-secrets.js';
import { signedReceipts } from '../../src/channels/signed-receipts.js';
import type { Stores } from '../../src/storage/stores.js';
import type { Dispatcher, DispatcherOptions } from '../../src/events/dispatcher.js';
import type { SendDispatcher } from '../../src/dispatch/send-dispatcher.js';
import type { KinesisSender } from '../../src/events/senders/kinesis.js';
import { BACKENDS, TEST_TOKEN_KEYS, postgresStore, sqliteStore, type BackendName } from './databases.js';

export type TwilioClient = ReturnType<typeof twilio>;

/** Sends every request the SDK builds for *.twilio.com to verifyd instead. */
export class LocalRequestClient extends twilio.RequestClient {
  constructor(private readonly base: string) {
    super();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override request<TData>(opts: any): Promise<any> {
    opts.uri = String(opts.uri).replace(/^https:\/\/[a-z0-9.-]+\.twilio\.com/i, this.base);
    return super.request<TData>(opts);
  }
}

export interface Account {
  sid: string;
  authToken: string;
  client: TwilioClient;
}

export interface TestServer {
  baseUrl: string;
  stores: Stores;
  app: FastifyInstance;
  deps: VerificationDeps;
  /** The API's credential cache: it emits `invalidated` when the store announces a credential change. */
  credentialCache: CredentialCache;
  /** The send dispatcher, when the server was started with providers of the test's own. */
  sendDispatcher?: SendDispatcher;
  /** The event dispatcher, when the server was started with one. */
  dispatcher?: Dispatcher;
  /** A fresh account with an SDK client bound to it. */
  account(): Promise<Account>;
  /** An SDK client authenticating with a new API key of the given account. */
  apiKeyClient(accountSid: string): Promise<TwilioClient>;
  /** Raw HTTP with Basic auth (or none), for malformed-input tests. */
  fetch(path: string, init?: RequestInit & { auth?: { user: string; pass: string } | null }): Promise<Response>;
  /** The newest inbox message for a destination, through the public inbox API. */
  latestMessage(acct: Account, to: string): Promise<{ code: string; body: string; channel: string; locale: string; subject: string | null; attempt_sid: string; verification_sid: string }>;
  /**
   * A second verifyd (its own app, store and connection pool) on this server's database, with the
   * same options (but for `overrides`), as another node of a cluster would be. Closing it leaves
   * the database alone.
   */
  sibling(overrides?: ServerOptions): Promise<TestServer>;
  close(): Promise<void>;
}

export interface ServerOptions {
  clock?: Clock;
  ttlMs?: number;
  /** ATTEMPTS_RATE_LIMIT_PER_MINUTE (verifyd's default when absent). */
  attemptsRatePerMinute?: number;
  /** The price table set on attempts (none when absent). */
  prices?: PriceTable;
  /** Runs an event dispatcher beside the app (none when absent), with these options over fast test defaults. */
  dispatcher?: TestDispatcherOptions;
  /** EVENTS_WEBHOOK_BLOCKED_NETWORKS for both the API and the dispatcher (verifyd's default when absent). */
  blockedNetworks?: string;
  /** Providers beside the inbox, and the routes that send to them instead (every channel to the inbox when absent). */
  providers?: TestProviders;
  /** Where the app logs, at `info` (silent when absent). */
  logStream?: DestinationStream;
  /** CORS_ALLOWED_ORIGINS (none when absent). */
  corsAllowedOrigins?: string;
  /** SEND_TIMEOUT_MS and SEND_MAX_ATTEMPTS of the send dispatcher (which runs when `providers` or `configFile` is given). */
  sends?: { timeoutMs?: number; maxAttempts?: number };
  /** Variables over the ones above (VERIFYD_ENV=production, ...); an undefined one is unset. */
  env?: Record<string, string | undefined>;
  /** VERIFYD_CONFIG: the providers file (every channel to the inbox when absent). */
  configFile?: string;
}

export interface TestProviders {
  providers: Provider[];
  routes: Routes;
  /** Sender profiles for Messaging Configurations (none when absent). */
  messagingServices?: MessagingProfile[];
  /** Failover and circuit settings (verifyd's defaults when absent). */
  failover?: FailoverSettings;
  /** The providers' own prices (VERIFYD_CONFIG `price`), none when absent. */
  prices?: SenderOptions['prices'];
}

export interface TestDispatcherOptions extends Partial<DispatcherOptions> {
  /** Where Kinesis sinks are written (a kinesalite URL in tests). */
  kinesisEndpoint?: string;
  /** KINESIS_STS_ENDPOINT; with it, Kinesis sinks are written as their role (KINESIS_ASSUME_ROLE=on). */
  stsEndpoint?: string;
  /** EVENTS_WEBHOOK_BLOCKED_NETWORKS for a dispatcher of its own (testDispatcher). */
  blockedNetworks?: string;
}

/** What every test server runs with: a fixed code key, no log, and a dispatcher fast enough for tests. */
const TEST_ENV: Record<string, string> = {
  CODE_KEYS: `test:${'t'.repeat(32)}`,
  TOKEN_KEYS: TEST_TOKEN_KEYS,
  LOG_LEVEL: 'silent',
  EVENTS_DISPATCHER: 'off',
  EVENTS_SINK_CONCURRENCY: '16',
  EVENTS_LINGER_MS: '5',
  EVENTS_POLL_MS: '50',
  EVENTS_LEASE_SECONDS: '30',
  EVENTS_RETRY_BASE_MS: '50',
  EVENTS_RETRY_WINDOW_SECONDS: '60',
  SEND_RETRY_BASE_MS: '50',
  SEND_MAX_ATTEMPTS: '3',
};

/**
 * A Config read by verifyd's own schema from TEST_ENV and `env`, with the dispatcher settings that
 * no variable sets (or not to the millisecond) taken from `dispatcher`.
 */
export function testConfig(env: Record<string, string | undefined> = {}, dispatcher: Partial<DispatcherOptions> = {}): Config {
  const config = loadConfig({ ...TEST_ENV, ...env });
  const e = config.events;
  const d = { ...dispatcher, retry: { baseMs: e.retryBaseMs, capMs: 500, windowMs: e.retryWindowMs, ...dispatcher.retry } };
  config.events = {
    ...e,
    batchSize: d.batchSize ?? e.batchSize,
    maxInFlight: d.maxInFlight ?? e.maxInFlight,
    sinkConcurrency: d.perSinkConcurrency ?? e.sinkConcurrency,
    accountInFlight: d.perAccountInFlight ?? e.accountInFlight,
    lingerMs: d.lingerMs ?? e.lingerMs,
    pollMs: d.pollMs ?? e.pollMs,
    leaseMs: d.leaseMs ?? e.leaseMs,
    leaseRenewMs: d.renewMs ?? (d.leaseMs === undefined ? e.leaseRenewMs : d.leaseMs / 5),
    webhookTimeoutMs: d.webhookTimeoutMs ?? e.webhookTimeoutMs,
    // A test's webhookTimeoutMs bounds the Kinesis and STS calls too.
    kinesisTimeoutMs: d.kinesisTimeoutMs ?? d.webhookTimeoutMs ?? e.kinesisTimeoutMs,
    retryBaseMs: d.retry.baseMs,
    retryCapMs: d.retry.capMs,
    retryWindowMs: d.retry.windowMs,
  };
  return config;
}

/** The variables ServerOptions stand for. */
function serverEnv(opts: ServerOptions): Record<string, string | undefined> {
  const d = opts.dispatcher;
  return {
    VERIFICATION_TTL_SECONDS: opts.ttlMs === undefined ? undefined : String(opts.ttlMs / 1000),
    ATTEMPTS_RATE_LIMIT_PER_MINUTE: opts.attemptsRatePerMinute === undefined ? undefined : String(opts.attemptsRatePerMinute),
    PRICE_TABLE: opts.prices === undefined ? undefined : JSON.stringify(opts.prices),
    EVENTS_WEBHOOK_BLOCKED_NETWORKS: opts.blockedNetworks,
    CORS_ALLOWED_ORIGINS: opts.corsAllowedOrigins,
    VERIFYD_CONFIG: opts.configFile,
    EVENTS_DISPATCHER: d ? 'on' : 'off',
    // Without providers of the test's own (or a VERIFYD_CONFIG file) every channel goes to the inbox: nothing is ever queued.
    SEND_DISPATCHER: opts.providers || opts.configFile ? 'on' : 'off',
    ...(opts.sends?.timeoutMs === undefined ? {} : { SEND_TIMEOUT_MS: String(opts.sends.timeoutMs) }),
    ...(opts.sends?.maxAttempts === undefined ? {} : { SEND_MAX_ATTEMPTS: String(opts.sends.maxAttempts) }),
    KINESIS_ENDPOINT: d?.kinesisEndpoint,
    // Unset without an STS: the mode's default.
    KINESIS_ASSUME_ROLE: d?.stsEndpoint === undefined ? undefined : 'on',
    KINESIS_STS_ENDPOINT: d?.stsEndpoint,
  };
}

/** kinesalite and the test STS take any credentials; the AWS SDK's chain would find none. */
const KINESIS_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A dispatcher over `stores` on `clock`, woken by their commits; the caller starts and stops it. */
export function testDispatcher(
  stores: Stores,
  clock: Clock,
  opts: TestDispatcherOptions = {},
): { dispatcher: Dispatcher; kinesis: KinesisSender; close(): Promise<void> } {
  const config = testConfig(serverEnv({ dispatcher: opts, blockedNetworks: opts.blockedNetworks }), opts);
  const senders = composeSenders(config, stores, clock, { kinesisCredentials: KINESIS_CREDENTIALS });
  const silent = { error: () => undefined, warn: () => undefined };
  const dispatcher = composeDispatcher({ stores, clock, ...senders }, config, silent);
  return { dispatcher, kinesis: senders.kinesis, close: senders.close };
}

/**
 * verifyd composed by src/compose.ts, as `npm start` composes it: `env` (beside ServerOptions) for
 * its config, open `stores` when given (they are then left open), and log lines to `logStream`.
 */
export async function composeForTest(opts: ServerOptions, env: Record<string, string | undefined>, over: { stores?: Stores; logStream?: DestinationStream } = {}): Promise<Composition & { config: Config }> {
  const config = testConfig({ ...serverEnv(opts), ...(over.logStream ? { LOG_LEVEL: 'info' } : {}), ...opts.env, ...env }, opts.dispatcher);
  const c = await compose(config, { ...over, clock: opts.clock ?? systemClock, kinesisCredentials: KINESIS_CREDENTIALS, sender: opts.providers && testSender(opts.providers), twilioCallbacks: opts.providers && twilioCallbackTokens(opts.providers.providers, opts.clock ?? systemClock), providerWebhooks: opts.providers && providerWebhookSecrets(opts.providers.providers), signedReceipts: opts.providers && signedReceipts(opts.providers.providers) });
  return { ...c, config };
}

/** The inbox beside the test's providers, routed as the test says (the inbox for every channel it leaves out). */
function testSender(p: TestProviders) {
  return (stores: Stores, clock: Clock) =>
    new ProviderSender(new ProviderRegistry([new InboxProvider(stores.inbox, clock), ...p.providers], { ...INBOX_EVERYWHERE.routes, ...p.routes }, p.messagingServices), {
      clock,
      failover: p.failover,
      prices: p.prices,
      profileFor: (serviceSid, country) => stores.messagingConfigurations.profileFor(serviceSid, country),
    });
}

export async function startServer(backend: BackendName = 'sqlite', opts: ServerOptions = {}): Promise<TestServer | { skip: string }> {
  const opened = backend === 'sqlite' ? await sqliteStore() : await postgresStore();
  if ('skip' in opened) return opened;
  const location = 'url' in opened ? { DATABASE_URL: opened.url } : { SQLITE_PATH: opened.path };
  return serve(location, opts, opened);
}

/** A server on the database at `location`, over `opened` (left to `opened.cleanup`) or a store of its own. */
async function serve(location: Record<string, string | undefined>, opts: ServerOptions, opened?: { stores: Stores; cleanup(): Promise<void> }): Promise<TestServer> {
  const c = await composeForTest(opts, location, { stores: opened?.stores, logStream: opts.logStream });
  const { app, stores, clock, config } = c;
  await app.listen({ host: '127.0.0.1', port: 0 });
  c.dispatcher?.start();
  c.sendDispatcher?.start();
  // The port is known only after listen; the app and SNA URLs read the base on use.
  const baseUrl = (config.publicBaseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);

  const clientFor = (user: string, pass: string, accountSid?: string) =>
    twilio(user, pass, { accountSid, httpClient: new LocalRequestClient(baseUrl), autoRetry: false });

  const server: TestServer = {
    baseUrl,
    stores,
    app,
    deps: c.verifications,
    credentialCache: c.credentialCache,
    dispatcher: c.dispatcher,
    sendDispatcher: c.sendDispatcher,
    async account() {
      const a = await createAccount(stores.accounts, clock);
      return { sid: a.sid, authToken: a.authToken, client: clientFor(a.sid, a.authToken) };
    },
    async apiKeyClient(accountSid) {
      const key = await createApiKey(stores.accounts, clock, accountSid);
      return clientFor(key.sid, key.secret, accountSid);
    },
    fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.auth) headers.set('authorization', `Basic ${Buffer.from(`${init.auth.user}:${init.auth.pass}`).toString('base64')}`);
      return fetch(baseUrl + path, { ...init, headers });
    },
    async latestMessage(acct, to) {
      const res = await server.fetch(`/inbox/messages?To=${encodeURIComponent(to)}&PageSize=1`, { auth: { user: acct.sid, pass: acct.authToken } });
      const body = (await res.json()) as { messages: Array<Awaited<ReturnType<TestServer['latestMessage']>>> };
      const m = body.messages[0];
      if (!m) throw new Error(`no inbox message for ${to}`);
      return m;
    },
    sibling(overrides = {}) {
      return serve(location, { ...opts, ...overrides });
    },
    async close() {
      await c.close();
      await opened?.cleanup();
    },
  };
  return server;
}

/** Options of onEachBackend: `start` runs the server on a ManualClock starting there (handed to the body). */
export interface OnEachBackendOptions {
  start?: Date;
  ttlMs?: number;
  attemptsRatePerMinute?: number;
  prices?: PriceTable;
  dispatcher?: TestDispatcherOptions;
  blockedNetworks?: string;
  providers?: TestProviders;
  logStream?: DestinationStream;
  corsAllowedOrigins?: string;
  sends?: ServerOptions['sends'];
  env?: Record<string, string | undefined>;
  configFile?: string;
}

/**
 * Registers `body` as one top-level test per backend (`<title> [sqlite]`, `<title> [postgres]`),
 * each with a fresh server that is closed afterwards. With `start`, the server runs on a new
 * ManualClock starting then, which the body gets as its third argument; without it, on the system
 * clock. An unreachable PostgreSQL skips its test with the reason shown.
 */
export function onEachBackend(
  title: string,
  body: (t: TestContext, server: TestServer, clock: ManualClock) => Promise<void>,
  opts: OnEachBackendOptions & { start: Date },
): void;
export function onEachBackend(title: string, body: (t: TestContext, server: TestServer) => Promise<void>, opts?: OnEachBackendOptions & { start?: undefined }): void;
export function onEachBackend(
  title: string,
  body: (t: TestContext, server: TestServer, clock: ManualClock) => Promise<void>,
  opts: OnEachBackendOptions = {},
): void {
  for (const { name } of BACKENDS) {
    test(`${title} [${name}]`, async (t) => {
      const clock = opts.start === undefined ? undefined : new ManualClock(opts.start);
      const server = await startServer(name, {
        clock,
        ttlMs: opts.ttlMs,
        attemptsRatePerMinute: opts.attemptsRatePerMinute,
        prices: opts.prices,
        dispatcher: opts.dispatcher,
        blockedNetworks: opts.blockedNetworks,
        providers: opts.providers,
        logStream: opts.logStream,
        corsAllowedOrigins: opts.corsAllowedOrigins,
        sends: opts.sends,
        env: opts.env,
        configFile: opts.configFile,
      });
      if ('skip' in server) {
        t.skip(server.skip);
        return;
      }
      try {
        await body(t, server, clock as ManualClock);
      } finally {
        await server.close();
      }
    });
  }
}

/** A fresh account (or the one given) with a service named Acme (plus `opts`) and the SDK handle for that service. */
export async function setup(server: TestServer, opts: Record<string, unknown> = {}, acct?: Account) {
  acct ??= await server.account();
  const svc = await acct.client.verify.v2.services.create({ friendlyName: 'Acme', ...opts });
  return { acct, svc, api: acct.client.verify.v2.services(svc.sid) };
}

/** The SDK handle of one service, as setup() returns it. */
export type ServiceApi = Awaited<ReturnType<typeof setup>>['api'];
