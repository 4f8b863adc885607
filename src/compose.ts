import { INBOX_EVERYWHERE, buildRegistry } from './channels/providers.js';
import { ProviderSender } from './channels/sender.js';
import type { Config } from './config/config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { CodeKeyring } from './domain/code/keys.js';
import { newSid } from './domain/ids.js';
import type { ServiceDeps } from './domain/service/service.js';
import type { VerificationDeps } from './domain/verification/deps.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { KinesisSender } from './dispatch/kinesis.js';
import { WEBHOOK_TIMEOUT_MS, WebhookSender } from './dispatch/webhook.js';
import { openStore } from './storage/open.js';
import type { KyselyStore } from './storage/kysely-store.js';

/** What delivering events needs: the store and a sender per sink type. */
export interface DeliveryComposition {
  store: KyselyStore;
  clock: Clock;
  kinesis: KinesisSender;
  webhook: WebhookSender;
}

export interface Composition extends DeliveryComposition {
  services: ServiceDeps;
  verifications: VerificationDeps;
}

export interface Log {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The one place that knows every concrete adapter. */
export async function compose(config: Config, clock: Clock = systemClock): Promise<Composition> {
  const delivery = await composeDelivery(config, clock);
  const { store } = delivery;
  const services: ServiceDeps = { store, clock, ids: newSid };
  const verifications: VerificationDeps = {
    store,
    sender: new ProviderSender(buildRegistry(INBOX_EVERYWHERE, { store, clock })),
    keys: new CodeKeyring(config.codeKeys),
    clock,
    ids: newSid,
    ttlMs: config.verificationTtlMs,
    snaBaseUrl: config.publicBaseUrl,
    prices: config.prices,
  };
  return { ...delivery, services, verifications };
}

/** The store and the senders alone, for a process that only delivers events (no code keys needed). */
export async function composeDelivery(config: Config, clock: Clock = systemClock): Promise<DeliveryComposition> {
  const store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: config.dbPoolSize });
  const kinesis = new KinesisSender({
    endpoint: config.events.kinesisEndpoint ?? undefined,
    region: config.events.kinesisRegion ?? undefined,
    assumeRole: config.events.kinesisAssumeRole,
    stsEndpoint: config.events.kinesisStsEndpoint ?? undefined,
    timeoutMs: WEBHOOK_TIMEOUT_MS,
  });
  const webhook = new WebhookSender(config.events.webhookBlockedNetworks);
  return { store, clock, kinesis, webhook };
}

/** A dispatcher over the composed store, woken by this process's own commits to the outbox. */
export function composeDispatcher(c: DeliveryComposition, config: Config, log: Log): Dispatcher {
  const dispatcher = new Dispatcher(c.store, c.clock, { webhook: c.webhook, kinesis: c.kinesis }, log, {
    batchSize: 100,
    maxInFlight: 1000,
    webhookBatch: 100,
    perSinkConcurrency: config.events.sinkConcurrency,
    lingerMs: config.events.lingerMs,
    pollMs: config.events.pollMs,
    leaseMs: config.events.leaseMs,
    webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
    retry: { baseMs: config.events.retryBaseMs, capMs: 10 * 60_000, windowMs: config.events.retryWindowMs },
  });
  c.store.onEvents = () => dispatcher.wake();
  return dispatcher;
}
