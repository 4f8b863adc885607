import { INBOX_EVERYWHERE, buildRegistry } from './channels/providers.js';
import { ProviderSender } from './channels/sender.js';
import type { Config } from './config/config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { CodeKeyring } from './domain/code/keys.js';
import { newSid } from './domain/ids.js';
import type { DomainDeps } from './api/context.js';
import type { CodeSender } from './domain/verification/sending.js';
import { AuthTokens } from './events/auth-tokens.js';
import { Dispatcher } from './events/dispatcher.js';
import { KinesisSender } from './events/senders/kinesis.js';
import { WEBHOOK_TIMEOUT_MS, WebhookSender } from './events/senders/webhook.js';
import { openStores } from './storage/open.js';
import type { Stores } from './storage/stores.js';

/** What delivering events needs: the stores and a sender per sink type. */
export interface EventsComposition {
  stores: Stores;
  clock: Clock;
  kinesis: KinesisSender;
  webhook: WebhookSender;
}

export interface Composition extends EventsComposition, DomainDeps {}

export interface Log {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** The settings the use cases read (tests hand in their own). */
export type DomainSettings = Pick<Config, 'codeKeys' | 'verificationTtlMs' | 'publicBaseUrl' | 'prices' | 'attemptsRatePerMinute'> & {
  events: Pick<Config['events'], 'webhookBlockedNetworks'>;
};

/** The one place that knows every concrete adapter. */
export async function compose(config: Config, clock: Clock = systemClock): Promise<Composition> {
  const events = await composeEvents(config, clock);
  return { ...events, ...composeDomain(events.stores, config, clock) };
}

/** Each use-case family with the stores it uses and nothing more. */
export function composeDomain(
  stores: Stores,
  config: DomainSettings,
  clock: Clock,
  sender: CodeSender = new ProviderSender(buildRegistry(INBOX_EVERYWHERE, { store: stores.inbox, clock })),
): DomainDeps {
  return {
    services: { store: stores.services, clock, ids: newSid },
    verifications: {
      store: stores.verifications,
      sender,
      keys: new CodeKeyring(config.codeKeys),
      clock,
      ids: newSid,
      ttlMs: config.verificationTtlMs,
      snaBaseUrl: config.publicBaseUrl,
      prices: config.prices,
    },
    attempts: { store: stores.attempts, throttle: stores.apiThrottle, clock, ratePerMinute: config.attemptsRatePerMinute },
    events: { store: stores.sinks, outbox: stores.outbox, clock, ids: newSid, blockedNetworks: config.events.webhookBlockedNetworks },
    inbox: { store: stores.inbox },
    sna: { store: stores.sna, clock },
  };
}

/** The store and the senders alone, for a process that only delivers events (no code keys needed). */
export async function composeEvents(config: Config, clock: Clock = systemClock): Promise<EventsComposition> {
  const stores = await openStores({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: config.dbPoolSize });
  const kinesis = new KinesisSender({
    endpoint: config.events.kinesisEndpoint ?? undefined,
    region: config.events.kinesisRegion ?? undefined,
    assumeRole: config.events.kinesisAssumeRole,
    stsEndpoint: config.events.kinesisStsEndpoint ?? undefined,
    timeoutMs: WEBHOOK_TIMEOUT_MS,
  });
  const webhook = new WebhookSender(config.events.webhookBlockedNetworks, new AuthTokens(stores.accounts, clock));
  return { stores, clock, kinesis, webhook };
}

/** A dispatcher over the composed store, woken by this process's own commits to the outbox. */
export function composeDispatcher(c: EventsComposition, config: Config, log: Log): Dispatcher {
  const dispatcher = new Dispatcher(c.stores.outbox, c.clock, { webhook: c.webhook, kinesis: c.kinesis }, log, {
    batchSize: 100,
    maxInFlight: 1000,
    perSinkConcurrency: config.events.sinkConcurrency,
    lingerMs: config.events.lingerMs,
    pollMs: config.events.pollMs,
    leaseMs: config.events.leaseMs,
    webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
    retry: { baseMs: config.events.retryBaseMs, capMs: 10 * 60_000, windowMs: config.events.retryWindowMs },
  });
  c.stores.onEventsCommitted(() => dispatcher.wake());
  return dispatcher;
}
