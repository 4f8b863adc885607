import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp } from './api/app.js';
import { CredentialCache } from './api/plugins/auth.js';
import type { DomainDeps } from './api/context.js';
import { buildRegistry, configuredProviders, providerPrices } from './channels/providers.js';
import type { ProviderRegistry } from './channels/registry.js';
import { ProviderSender, type SenderOptions } from './channels/sender.js';
import { signedReceipts } from './channels/signed-receipts.js';
import { twilioCallbackTokens } from './channels/twilio/callbacks.js';
import type { SignedReceipts } from './api/own/receipt-callbacks.js';
import type { TwilioCallbackTokens } from './api/own/twilio-callbacks.js';
import type { ProviderWebhookSecrets } from './api/own/provider-webhooks.js';
import { providerWebhookSecrets } from './channels/webhook-secrets.js';
import type { Config } from './config/config.js';
import type { BlockedNetworks } from './domain/events/networks.js';
import type { EventDeps } from './domain/events/sinks.js';
import { systemClock, type Clock } from './domain/clock.js';
import { recordReceipt, type Receipt } from './domain/attempts/receipts.js';
import { CodeKeyring } from './domain/code/keys.js';
import { newSid } from './domain/ids.js';
import { NO_QUOTAS, type Quotas } from './domain/quotas.js';
import { normalizeEmailDestinations } from './domain/verification/normalize-destinations.js';
import type { LookupDeps } from './domain/verification/lookup.js';
import type { CodeSender } from './domain/verification/sending.js';
import { buildLookup } from './lookup/index.js';
import { AuthTokens } from './events/auth-tokens.js';
import { SendDispatcher } from './dispatch/send-dispatcher.js';
import { Dispatcher } from './events/dispatcher.js';
import { KinesisSender } from './events/senders/kinesis.js';
import { WebhookSender } from './events/senders/webhook.js';
import type { Log } from './log.js';
import { openStores } from './storage/open.js';
import type { Stores } from './storage/stores.js';
import { DEFAULT_HIGH_COST } from './domain/protection/pumping.js';
import type { PumpingDeps } from './domain/protection/pumping-guard.js';

/** What the composition takes from elsewhere than the config: tests hand in their own. */
export interface Overrides {
  clock?: Clock;
  /** Open stores, used (and left open) instead of opening the configured database. */
  stores?: Stores;
  /** Where the app's log lines go instead of stdout. */
  logStream?: DestinationStream;
  /** Kinesis credentials instead of the AWS SDK's default chain. */
  kinesisCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** How codes leave verifyd, instead of the providers the config names (tests' stand-in carriers). */
  sender?: (stores: Stores, clock: Clock) => CodeSender;
  /** The auth tokens of the Twilio providers `sender` sends through, for their status callbacks. */
  twilioCallbacks?: TwilioCallbackTokens;
  /** The webhook secrets of the WhatsApp Cloud and SendGrid providers `sender` sends through. */
  providerWebhooks?: ProviderWebhookSecrets;
  /** How the receipts of the Vonage providers and HTTP gateways `sender` sends through are checked. */
  signedReceipts?: SignedReceipts;
}

/** The senders, one per sink type, and the code providers by channel. */
export interface Senders {
  kinesis: KinesisSender;
  webhook: WebhookSender;
  providers: ProviderRegistry;
}

/** What delivering events needs: the stores and a sender per sink type. */
export interface EventsComposition extends Senders {
  stores: Stores;
  clock: Clock;
}

export interface Composition extends EventsComposition, DomainDeps {
  app: FastifyInstance;
  /** The API's verified credentials, dropped per account when the store announces a change. */
  credentialCache: CredentialCache;
  /** Built (not started) when EVENTS_DISPATCHER is on. */
  dispatcher: Dispatcher | undefined;
  /** Built (not started) when SEND_DISPATCHER is on. */
  sendDispatcher: SendDispatcher | undefined;
  /** Closes the app, then the dispatcher, the senders and the stores it opened. */
  close(): Promise<void>;
}

/** The one place that knows every concrete adapter: the whole server, ready to listen. */
export async function compose(config: Config, overrides: Overrides = {}): Promise<Composition> {
  const events = await composeEvents(config, overrides);
  const { stores, clock } = events;
  // After the stores' migrations: settles what migration 006 left to the domain.
  await normalizeEmailDestinations(stores.verifications, clock);
  const sender = overrides.sender?.(stores, clock) ?? new ProviderSender(events.providers, senderOptions(config, stores, clock));
  // The lookup logs through the app's logger, which buildApp makes below; nothing is looked up before it listens.
  const lookup = buildLookup(config.lookup, { warn: (obj, msg) => app.log.warn(obj, msg) });
  const domain = composeDomain(stores, config, clock, sender, lookup);
  const credentialCache = new CredentialCache(() => clock.now().getTime(), config.credentialCacheMs);
  const stopWatching = stores.accounts.onCredentialsChanged((sid) => credentialCache.invalidate(sid));
  const app: FastifyInstance = await buildApp({
    ...domain,
    twilioCallbacks: overrides.twilioCallbacks ?? twilioCallbackTokens(events.providers.providers, clock),
    providerWebhooks: overrides.providerWebhooks ?? providerWebhookSecrets(events.providers.providers),
    signedReceipts: overrides.signedReceipts ?? signedReceipts(events.providers.providers),
    accounts: stores.accounts,
    credentialCache,
    get publicBaseUrl() {
      return config.publicBaseUrl;
    },
    bodyLimitBytes: config.bodyLimitBytes,
    corsAllowedOrigins: config.corsAllowedOrigins,
    logLevel: config.logLevel,
    ownScopes: { inbox: config.inboxEnabled, sna: config.snaSimulator },
    logStream: overrides.logStream,
  });
  const dispatcher = config.events.dispatcher ? composeDispatcher(events, config, app.log) : undefined;
  const sendDispatcher = config.sends.dispatcher ? composeSendDispatcher(events, sender, config, app.log) : undefined;
  const close = async () => {
    await app.close();
    stopWatching();
    await dispatcher?.stop();
    await sendDispatcher?.stop();
    await events.close();
  };
  return { ...events, ...domain, app, credentialCache, dispatcher, sendDispatcher, close };
}

/**
 * How the code sender routes: the file's failover settings, the providers' own prices, and each
 * service's Messaging Configurations (read per queued send, only where a sender profile carries the channel).
 */
export function senderOptions(config: Pick<Config, 'providers' | 'prices'>, stores: Pick<Stores, 'messagingConfigurations'>, clock: Clock): SenderOptions {
  return {
    clock,
    failover: config.providers.failover,
    profileFor: (serviceSid, country) => stores.messagingConfigurations.profileFor(serviceSid, country),
    prices: { currency: config.prices.currency, byProvider: providerPrices(config.providers) },
  };
}

/** The settings the use cases read. */
export type DomainSettings = Pick<Config, 'codeKeys' | 'verificationTtlMs' | 'publicBaseUrl' | 'prices' | 'attemptsRatePerMinute' | 'inboxEnabled' | 'snaSimulator' | 'quotas' | 'providers' | 'mode'> & {
  events: Pick<Config['events'], 'webhookBlockedNetworks'>;
};

/** Each use-case family with the stores it uses and nothing more. */
export function composeDomain(
  stores: Stores,
  config: DomainSettings,
  clock: Clock,
  sender: CodeSender,
  lookup: LookupDeps,
): DomainDeps {
  return {
    services: { store: stores.services, templates: stores.templates, clock, ids: newSid, maxServices: config.quotas.services },
    templates: { store: stores.templates, clock, ids: newSid },
    rateLimits: { store: stores.rateLimits, clock, ids: newSid },
    messagingConfigurations: { store: stores.messagingConfigurations, services: stores.services, hasProfile: (sid) => sender.hasProfile(sid), clock, ids: newSid },
    verifications: {
      store: stores.verifications,
      sender,
      templates: stores.templates,
      keys: new CodeKeyring(config.codeKeys),
      clock,
      ids: newSid,
      ttlMs: config.verificationTtlMs,
      // Read on use, as the app's: a server bound to port 0 (the tests') learns its URL after listen.
      // The simulator is the only SNA provider: without it there is none (null).
      get snaBaseUrl() {
        return config.snaSimulator ? config.publicBaseUrl : null;
      },
      prices: config.prices,
      protection: {
        store: stores.admission,
        geoDefaults: config.providers.geoPermissions ?? {},
        pumping: pumpingDeps(stores, clock, config),
      },
      lookup,
    },
    attempts: { store: stores.attempts, throttle: stores.apiThrottle, clock, ratePerMinute: config.attemptsRatePerMinute },
    events: eventDeps(stores, clock, config.events.webhookBlockedNetworks, config.quotas),
    inbox: { store: stores.inbox },
    sna: { store: stores.sna, clock },
    safeList: { store: stores.safeList, clock, ids: newSid },
  };
}

/**
 * The SMS-pumping guard: on by default in production (standard), off in development, where test
 * traffic to sequential numbers that rarely converts looks exactly like pumping; the file's
 * `pumping_guard.level` replaces that default, a service's own level (the CLI) replaces both.
 */
export function pumpingDeps(stores: Stores, clock: Clock, config: Pick<Config, 'mode' | 'providers'>): PumpingDeps {
  const file = config.providers.pumpingGuard ?? {};
  return {
    store: stores.pumping,
    clock,
    defaultLevel: file.level ?? (config.mode === 'production' ? 'standard' : 'off'),
    highCost: file.highCost ?? DEFAULT_HIGH_COST,
  };
}

/** What the Event Streams domain functions work with (sinks, subscriptions, the outbox). */
export function eventDeps(stores: Stores, clock: Clock, blockedNetworks: BlockedNetworks, quotas: Quotas = NO_QUOTAS): EventDeps {
  return { store: stores.sinks, outbox: stores.outbox, clock, ids: newSid, blockedNetworks, throttle: stores.apiThrottle, quotas };
}

/**
 * The stores and the senders alone, for a process that only delivers events; on PostgreSQL it
 * listens for other processes' credential changes, which the API's cache and the webhook signer's
 * tokens are dropped on.
 */
export async function composeEvents(config: Config, overrides: Overrides = {}): Promise<EventsComposition & { close(): Promise<void> }> {
  const clock = overrides.clock ?? systemClock;
  const stores = overrides.stores ?? (await openStores({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: config.dbPoolSize, tokenKeys: config.tokenKeys }));
  const senders = composeSenders(config, stores, clock, overrides);
  const watcher = await stores.accounts.watchCredentials?.();
  const close = async () => {
    await watcher?.close();
    await senders.close();
    if (!overrides.stores) await stores.close();
  };
  return { stores, clock, ...senders, close };
}

export function composeSenders(config: Config, stores: Stores, clock: Clock, overrides: Overrides = {}): Senders & { close(): Promise<void> } {
  const kinesis = new KinesisSender({
    endpoint: config.events.kinesisEndpoint ?? undefined,
    region: config.events.kinesisRegion ?? undefined,
    assumeRole: config.events.kinesisAssumeRole,
    stsEndpoint: config.events.kinesisStsEndpoint ?? undefined,
    timeoutMs: config.events.kinesisTimeoutMs,
    ...overrides.kinesisCredentials,
  });
  const tokens = new AuthTokens(stores.accounts, clock, config.credentialCacheMs);
  const stopWatching = stores.accounts.onCredentialsChanged((sid) => tokens.invalidate(sid));
  const webhook = new WebhookSender(config.events.webhookBlockedNetworks, tokens);
  // Development mode, the only one so far: a channel the configuration leaves without a route goes to the inbox.
  let keys: CodeKeyring | undefined;
  const codeKeys = () => (keys ??= new CodeKeyring(config.codeKeys));
  const receipts = (r: Receipt) => recordReceipt({ store: stores.attempts, clock }, r);
  const providers = buildRegistry(configuredProviders(config), { store: stores.inbox, clock, publicBaseUrl: () => config.publicBaseUrl, codeKeys, receipts });
  const close = async () => {
    stopWatching();
    kinesis.close();
    await webhook.close();
    await providers.close();
  };
  return { kinesis, webhook, providers, close };
}

/** Both dispatchers poll and lease alike (EVENTS_POLL_MS, EVENTS_LEASE_SECONDS). */
const leasing = (e: Config['events']) => ({ pollMs: e.pollMs, leaseMs: e.leaseMs, renewMs: e.leaseRenewMs });

/** A send dispatcher over the send queue, woken by this process's starts; leases, poll and linger as the event dispatcher's. */
export function composeSendDispatcher(c: Pick<EventsComposition, 'stores' | 'clock'>, sender: CodeSender, config: Config, log: Pick<Log, 'error' | 'warn'>): SendDispatcher {
  const { events: e, sends: s } = config;
  const dispatcher = new SendDispatcher(c.stores.sendJobs, sender, new CodeKeyring(config.codeKeys), c.clock, log, {
    batchSize: s.batchSize,
    maxInFlight: s.maxInFlight,
    // As the events': starts committed close together are claimed in one transaction, not one each.
    lingerMs: e.lingerMs,
    ...leasing(e),
    timeoutMs: s.timeoutMs,
    retry: { baseMs: s.retryBaseMs, capMs: s.retryCapMs, maxAttempts: s.maxAttempts },
  });
  c.stores.onSendsCommitted(() => dispatcher.wake());
  return dispatcher;
}

/** A dispatcher over the composed outbox, woken by this process's own commits to it. */
export function composeDispatcher(c: EventsComposition, config: Config, log: Pick<Log, 'error' | 'warn'>): Dispatcher {
  const e = config.events;
  const dispatcher = new Dispatcher(c.stores.outbox, c.clock, { webhook: c.webhook, kinesis: c.kinesis }, log, {
    batchSize: e.batchSize,
    maxInFlight: e.maxInFlight,
    perSinkConcurrency: e.sinkConcurrency,
    perAccountInFlight: e.accountInFlight,
    lingerMs: e.lingerMs,
    ...leasing(e),
    webhookTimeoutMs: e.webhookTimeoutMs,
    kinesisTimeoutMs: e.kinesisTimeoutMs,
    retry: { baseMs: e.retryBaseMs, capMs: e.retryCapMs, windowMs: e.retryWindowMs },
  });
  c.stores.onEventsCommitted(() => dispatcher.wake());
  return dispatcher;
}
