import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { buildApp } from './api/app.js';
import { InboxDelivery } from './channels/inbox.js';
import type { Config } from './config/config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { CodeKeyring } from './domain/code/keys.js';
import { newSid } from './domain/ids.js';
import type { ServiceDeps } from './domain/service/service.js';
import type { VerificationDeps } from './domain/verification/deps.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { KinesisSender } from './dispatch/kinesis.js';
import { WebhookSender } from './dispatch/webhook.js';
import type { Log } from './log.js';
import { openStore } from './storage/open.js';
import type { KyselyStore } from './storage/kysely-store.js';

/** What the composition takes from elsewhere than the config: tests hand in their own. */
export interface Overrides {
  clock?: Clock;
  /** An open store, used (and left open) instead of opening the configured database. */
  store?: KyselyStore;
  /** Where the app's log lines go instead of stdout. */
  logStream?: DestinationStream;
  /** Kinesis credentials instead of the AWS SDK's default chain. */
  kinesisCredentials?: { accessKeyId: string; secretAccessKey: string };
}

/** The senders, one per sink type. */
export interface Senders {
  kinesis: KinesisSender;
  webhook: WebhookSender;
}

/** What delivering events needs: the store and a sender per sink type. */
export interface DeliveryComposition extends Senders {
  store: KyselyStore;
  clock: Clock;
}

export interface Composition extends DeliveryComposition {
  services: ServiceDeps;
  verifications: VerificationDeps;
  app: FastifyInstance;
  /** Built (not started) when EVENTS_DISPATCHER is on. */
  dispatcher: Dispatcher | undefined;
  /** Closes the app, then the dispatcher, the senders and the store it opened. */
  close(): Promise<void>;
}

/** The one place that knows every concrete adapter: the whole server, ready to listen. */
export async function compose(config: Config, overrides: Overrides = {}): Promise<Composition> {
  const delivery = await composeDelivery(config, overrides);
  const { store, clock } = delivery;
  const services: ServiceDeps = { store, clock, ids: newSid };
  const verifications: VerificationDeps = {
    store,
    delivery: new InboxDelivery(store, clock),
    keys: new CodeKeyring(config.codeKeys),
    clock,
    ids: newSid,
    ttlMs: config.verificationTtlMs,
    // Read on use, as the app's below: a server bound to port 0 (the tests') learns its URL after listen.
    get snaBaseUrl() {
      return config.publicBaseUrl;
    },
    prices: config.prices,
  };
  const app = await buildApp({
    services,
    verifications,
    get publicBaseUrl() {
      return config.publicBaseUrl;
    },
    bodyLimitBytes: config.bodyLimitBytes,
    logLevel: config.logLevel,
    logStream: overrides.logStream,
    attemptsRatePerMinute: config.attemptsRatePerMinute,
    webhookBlockedNetworks: config.events.webhookBlockedNetworks,
  });
  const dispatcher = config.events.dispatcher ? composeDispatcher(delivery, config, app.log) : undefined;
  const close = async () => {
    await app.close();
    await dispatcher?.stop();
    await delivery.close();
  };
  return { ...delivery, services, verifications, app, dispatcher, close };
}

/** The store and the senders alone, for a process that only delivers events (no code keys needed). */
export async function composeDelivery(config: Config, overrides: Overrides = {}): Promise<DeliveryComposition & { close(): Promise<void> }> {
  const store = overrides.store ?? (await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: config.dbPoolSize }));
  const senders = composeSenders(config, overrides);
  const close = async () => {
    await senders.close();
    if (!overrides.store) await store.close();
  };
  return { store, clock: overrides.clock ?? systemClock, ...senders, close };
}

export function composeSenders(config: Config, overrides: Overrides = {}): Senders & { close(): Promise<void> } {
  const kinesis = new KinesisSender({
    endpoint: config.events.kinesisEndpoint ?? undefined,
    region: config.events.kinesisRegion ?? undefined,
    assumeRole: config.events.kinesisAssumeRole,
    stsEndpoint: config.events.kinesisStsEndpoint ?? undefined,
    timeoutMs: config.events.kinesisTimeoutMs,
    ...overrides.kinesisCredentials,
  });
  const webhook = new WebhookSender(config.events.webhookBlockedNetworks);
  const close = async () => {
    kinesis.close();
    await webhook.close();
  };
  return { kinesis, webhook, close };
}

/** A dispatcher over the composed store, woken by this process's own commits to the outbox. */
export function composeDispatcher(c: DeliveryComposition, config: Config, log: Pick<Log, 'error' | 'warn'>): Dispatcher {
  const e = config.events;
  const dispatcher = new Dispatcher(c.store, c.clock, { webhook: c.webhook, kinesis: c.kinesis }, log, {
    batchSize: e.batchSize,
    maxInFlight: e.maxInFlight,
    webhookBatch: e.webhookBatch,
    perSinkConcurrency: e.sinkConcurrency,
    lingerMs: e.lingerMs,
    pollMs: e.pollMs,
    leaseMs: e.leaseMs,
    webhookTimeoutMs: e.webhookTimeoutMs,
    kinesisTimeoutMs: e.kinesisTimeoutMs,
    retry: { baseMs: e.retryBaseMs, capMs: e.retryCapMs, windowMs: e.retryWindowMs },
  });
  c.store.onEvents = () => dispatcher.wake();
  return dispatcher;
}
