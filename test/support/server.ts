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
import { buildApp } from '../../src/api/app.js';
import { InboxProvider } from '../../src/channels/inbox.js';
import type { Provider } from '../../src/channels/provider.js';
import { INBOX_EVERYWHERE } from '../../src/channels/providers.js';
import { ProviderRegistry, type Routes } from '../../src/channels/registry.js';
import { ProviderSender } from '../../src/channels/sender.js';
import { ManualClock, systemClock, type Clock } from '../../src/domain/clock.js';
import { composeDomain } from '../../src/compose.js';
import { NO_PRICES, type PriceTable } from '../../src/domain/prices.js';
import type { VerificationDeps } from '../../src/domain/verification/deps.js';
import { openStores, type StorageConfig } from '../../src/storage/open.js';
import type { Stores } from '../../src/storage/stores.js';
import { AuthTokens } from '../../src/events/auth-tokens.js';
import { Dispatcher, type DispatcherOptions } from '../../src/events/dispatcher.js';
import { KinesisSender } from '../../src/events/senders/kinesis.js';
import { WEBHOOK_TIMEOUT_MS, WebhookSender } from '../../src/events/senders/webhook.js';
import { BlockedNetworks, DEFAULT_BLOCKED_NETWORKS } from '../../src/domain/events/networks.js';
import { BACKENDS, postgresStore, sqliteStore, type BackendName } from './databases.js';

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
  /** ATTEMPTS_RATE_LIMIT_PER_MINUTE (verifyd's default, 100, when absent). */
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
}

export interface TestProviders {
  providers: Provider[];
  routes: Routes;
}

export interface TestDispatcherOptions extends Partial<DispatcherOptions> {
  /** Where Kinesis sinks are written (a kinesalite URL in tests). */
  kinesisEndpoint?: string;
  /** KINESIS_STS_ENDPOINT; with it, Kinesis sinks are written as their role (KINESIS_ASSUME_ROLE=on). */
  stsEndpoint?: string;
  /** EVENTS_WEBHOOK_BLOCKED_NETWORKS (verifyd's default when absent). */
  blockedNetworks?: string;
}

/** Fast enough for tests: quick polls and retries, and a short retry window. */
export const TEST_DISPATCHER: DispatcherOptions = {
  batchSize: 100,
  maxInFlight: 1000,
  perSinkConcurrency: 16,
  lingerMs: 5,
  pollMs: 50,
  leaseMs: 30_000,
  webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
  retry: { baseMs: 50, capMs: 500, windowMs: 60_000 },
};

/** A dispatcher over `stores` on `clock`, woken by their commits; the caller starts and stops it. */
export function testDispatcher(
  stores: Stores,
  clock: Clock,
  opts: TestDispatcherOptions = {},
): { dispatcher: Dispatcher; kinesis: KinesisSender; close(): Promise<void> } {
  const { kinesisEndpoint, stsEndpoint, blockedNetworks, ...rest } = opts;
  const webhook = new WebhookSender(new BlockedNetworks(blockedNetworks ?? DEFAULT_BLOCKED_NETWORKS), new AuthTokens(stores.accounts, clock));
  const kinesis = new KinesisSender({
    endpoint: kinesisEndpoint,
    assumeRole: stsEndpoint !== undefined,
    stsEndpoint,
    accessKeyId: 'test',
    secretAccessKey: 'test',
    timeoutMs: rest.webhookTimeoutMs ?? WEBHOOK_TIMEOUT_MS,
  });
  const silent = { error: () => undefined, warn: () => undefined };
  const dispatcher = new Dispatcher(stores.outbox, clock, { webhook, kinesis }, silent, { ...TEST_DISPATCHER, ...rest });
  stores.onEventsCommitted(() => dispatcher.wake());
  const close = async () => {
    kinesis.close();
    await webhook.close();
  };
  return { dispatcher, kinesis, close };
}

export async function startServer(backend: BackendName = 'sqlite', opts: ServerOptions = {}): Promise<TestServer | { skip: string }> {
  const opened = backend === 'sqlite' ? await sqliteStore() : await postgresStore();
  if ('skip' in opened) return opened;
  const location: StorageConfig =
    'url' in opened ? { databaseUrl: opened.url, sqlitePath: '', poolSize: 10 } : { databaseUrl: null, sqlitePath: opened.path, poolSize: 1 };
  return serve(opened.stores, location, opened.cleanup, opts);
}

async function serve(stores: Stores, location: StorageConfig, cleanup: () => Promise<void>, opts: ServerOptions): Promise<TestServer> {
  const clock = opts.clock ?? systemClock;
  const sender = new ProviderSender(
    new ProviderRegistry([new InboxProvider(stores.inbox, clock), ...(opts.providers?.providers ?? [])], { ...INBOX_EVERYWHERE.routes, ...opts.providers?.routes }),
  );
  const domain = composeDomain(
    stores,
    {
      codeKeys: [{ id: 'test', secret: Buffer.alloc(32, 1) }],
      verificationTtlMs: opts.ttlMs ?? 600_000,
      publicBaseUrl: '',
      prices: opts.prices ?? NO_PRICES,
      attemptsRatePerMinute: opts.attemptsRatePerMinute ?? 100,
      events: { webhookBlockedNetworks: new BlockedNetworks(opts.blockedNetworks ?? DEFAULT_BLOCKED_NETWORKS) },
    },
    clock,
    sender,
  );
  const deps = domain.verifications;
  // The port is known only after listen; URLs are built from a base that is filled in right after.
  const base = { url: '' };
  const app = await buildApp({
    ...domain,
    accounts: stores.accounts,
    get publicBaseUrl() {
      return base.url;
    },
    bodyLimitBytes: 65_536,
    logLevel: opts.logStream ? 'info' : 'silent',
    logStream: opts.logStream,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const events = opts.dispatcher ? testDispatcher(stores, clock, { blockedNetworks: opts.blockedNetworks, ...opts.dispatcher }) : undefined;
  events?.dispatcher.start();
  base.url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  deps.snaBaseUrl = base.url;

  const clientFor = (user: string, pass: string, accountSid?: string) =>
    twilio(user, pass, { accountSid, httpClient: new LocalRequestClient(base.url), autoRetry: false });

  const server: TestServer = {
    baseUrl: base.url,
    stores,
    app,
    deps,
    dispatcher: events?.dispatcher,
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
      return fetch(base.url + path, { ...init, headers });
    },
    async latestMessage(acct, to) {
      const res = await server.fetch(`/inbox/messages?To=${encodeURIComponent(to)}&PageSize=1`, { auth: { user: acct.sid, pass: acct.authToken } });
      const body = (await res.json()) as { messages: Array<Awaited<ReturnType<TestServer['latestMessage']>>> };
      const m = body.messages[0];
      if (!m) throw new Error(`no inbox message for ${to}`);
      return m;
    },
    async sibling(overrides = {}) {
      const other = await openStores(location);
      return serve(other, location, () => other.close(), { ...opts, ...overrides });
    },
    async close() {
      await app.close();
      await events?.dispatcher.stop();
      await events?.close();
      await cleanup();
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
