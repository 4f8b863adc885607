import { z } from 'zod';
import type { Receipt } from '../domain/attempts/receipts.js';
import type { Clock } from '../domain/clock.js';
import type { CodeKeyring } from '../domain/code/keys.js';
import type { InboxStore } from '../domain/ports.js';
import type { GeoDefaults } from '../domain/protection/geo.js';
import type { PumpingGuardFile } from '../config/pumping-file.js';
import type { CodeChannel } from '../domain/verification/sending.js';
import { InboxProvider } from './inbox.js';
import type { Provider } from './provider.js';
import { ProviderRegistry, type MessagingProfile, type Routes } from './registry.js';
import { DEFAULT_FAILOVER, type FailoverSettings, type ProviderPrices } from './sender.js';
import { twilioProviderSchema } from './twilio/config.js';
import { TwilioProvider } from './twilio/provider.js';
import { smppSettings } from './smpp/settings.js';
import { SmppProvider } from './smpp/provider.js';
import { smtpSettings } from './smtp/settings.js';
import { SmtpProvider } from './smtp/provider.js';
import { sendgridSettings } from './sendgrid/settings.js';
import { SendgridProvider } from './sendgrid/provider.js';
import { whatsappCloudSettings } from './whatsapp-cloud/settings.js';
import { WhatsappCloudProvider } from './whatsapp-cloud/provider.js';
import { vonageSettings } from './vonage/config.js';
import { VonageProvider } from './vonage/provider.js';
import { httpGatewaySettings } from './http-gateway/config.js';
import { HttpGatewayProvider } from './http-gateway/provider.js';

export const CODE_CHANNELS: readonly CodeChannel[] = ['sms', 'call', 'whatsapp', 'email'];

/** What provider types may be built with. */
export interface ProviderContext {
  store: InboxStore;
  clock: Clock;
  /** PUBLIC_BASE_URL, read on use: providers put their status callback URLs under it. */
  publicBaseUrl: () => string;
  /** CODE_KEYS, read on use (a process that sends no code may have none): Twilio seals a call's code in its key-press URL. */
  codeKeys: () => CodeKeyring;
  /** Records a delivery receipt a provider received on a connection of its own (SMPP's deliver_sm); resolves whether an attempt moved. */
  receipts: (r: Receipt) => Promise<boolean>;
}

/** Where the configuration file is: a type's relative paths (a CA file, a template directory) are read from there. */
export interface FileContext {
  dir: string;
}

/**
 * One kind of carrier a configuration names by `type`: the channels it can carry (a route naming it
 * for another is a configuration problem), the schema of its own settings (the keys beside `name`
 * and `type`; a strict object, so a misspelt key is a problem too), and how it is built from them.
 */
export interface ProviderType<S> {
  channels: readonly CodeChannel[];
  settings(file: FileContext): z.ZodType<S, unknown>;
  build(name: string, settings: S, ctx: ProviderContext): Provider;
}

const providerType = <S>(t: ProviderType<S>): ProviderType<S> => t;

/**
 * Every provider type a configuration may name. Adding one is a schema and a class in
 * `channels/<type>/` and an entry here; the loader (src/config/file.ts) and the registry need
 * nothing else.
 */
export const PROVIDER_TYPES = {
  inbox: providerType({
    channels: CODE_CHANNELS,
    settings: () => z.strictObject({}),
    build: (name, _settings, ctx) => new InboxProvider(ctx.store, ctx.clock, name),
  }),
  smtp: providerType({
    channels: ['email'],
    settings: smtpSettings,
    build: (name, settings) => new SmtpProvider(name, settings),
  }),
  twilio: providerType({
    // Each channel is carried only when its sender is configured; the registry checks routes against that.
    channels: ['sms', 'whatsapp', 'call'],
    settings: () => twilioProviderSchema.omit({ name: true, type: true }),
    build: (name, settings, ctx) => new TwilioProvider({ ...settings, name, type: 'twilio' }, ctx.publicBaseUrl, ctx.codeKeys),
  }),
  whatsapp_cloud: providerType({
    channels: ['whatsapp'],
    settings: () => whatsappCloudSettings,
    build: (name, settings) => new WhatsappCloudProvider(name, settings),
  }),
  sendgrid: providerType({
    channels: ['email'],
    settings: () => sendgridSettings,
    build: (name, settings) => new SendgridProvider(name, settings),
  }),
  smpp: providerType({
    channels: ['sms'],
    settings: smppSettings,
    build: (name, settings, ctx) => new SmppProvider(name, settings, ctx.receipts),
  }),
  vonage: providerType({
    channels: ['sms'],
    settings: vonageSettings,
    build: (name, settings, ctx) => new VonageProvider(name, settings, ctx.publicBaseUrl),
  }),
  http: providerType({
    // Those of its `channels` setting; the registry checks routes against that.
    channels: CODE_CHANNELS,
    settings: httpGatewaySettings,
    build: (name, settings, ctx) => new HttpGatewayProvider(name, settings, ctx.clock, ctx.publicBaseUrl),
  }),
};

type Types = typeof PROVIDER_TYPES;
export type ProviderTypeName = keyof Types;
type SettingsOf<T> = T extends ProviderType<infer S> ? S : never;

/** A provider as configuration names it, with its type's settings, checked. */
export type ProviderSpec = { [K in ProviderTypeName]: { name: string; type: K; settings: SettingsOf<Types[K]>; price?: ProviderPrices } }[ProviderTypeName];

export interface ProvidersConfig {
  providers: readonly ProviderSpec[];
  routes: Routes;
  /** The file's geo permissions per channel (the defaults accounts and services override); none: every country. */
  geoPermissions?: GeoDefaults;
  /** The file's SMS-pumping guard defaults (the mode's level and the built-in high-cost list when absent). */
  pumpingGuard?: PumpingGuardFile;
  /** Sender profiles a Messaging Configuration names (none when absent). */
  messagingServices?: readonly MessagingProfile[];
  /** Failover and circuits (DEFAULT_FAILOVER when absent). */
  failover?: FailoverSettings;
}

/** What no configuration file gives: no provider, no route (every channel then goes to the inbox, see withInbox). */
export const NO_FILE: ProvidersConfig = { providers: [], routes: {}, messagingServices: [], failover: DEFAULT_FAILOVER };

/** Every channel to the inbox. */
export const INBOX_EVERYWHERE: ProvidersConfig = withInbox(NO_FILE);

/**
 * The configuration's routes, and the inbox for each channel it leaves without one (development
 * mode): the file's own inbox provider if it names one, else one named `inbox` (a name the loader
 * keeps for that type).
 */
export function withInbox(config: ProvidersConfig): ProvidersConfig {
  const unrouted = CODE_CHANNELS.filter((c) => config.routes[c] === undefined);
  if (unrouted.length === 0) return config;
  const own = config.providers.find((p) => p.type === 'inbox');
  const inbox: ProviderSpec = own ?? { name: 'inbox', type: 'inbox', settings: {} };
  const routes: Routes = { ...config.routes };
  for (const channel of unrouted) routes[channel] = { default: [inbox.name] };
  return { ...config, providers: own ? config.providers : [...config.providers, inbox], routes };
}

/**
 * The providers a Config asks for: the file's, with the inbox for every channel the file leaves
 * without a route when INBOX_ENABLED (development's default); without it such a channel has no
 * provider and answers 60223 (delivery channel disabled).
 */
export const configuredProviders = (config: { inboxEnabled: boolean; providers: ProvidersConfig }): ProvidersConfig =>
  config.inboxEnabled ? withInbox(config.providers) : config.providers;

export function buildRegistry(config: ProvidersConfig, ctx: ProviderContext): ProviderRegistry {
  return new ProviderRegistry(config.providers.map((spec) => buildProvider(spec, ctx)), config.routes, config.messagingServices);
}

/** The providers' own prices, by provider name (those that configure none are left out). */
export function providerPrices(config: ProvidersConfig): Map<string, ProviderPrices> {
  return new Map(config.providers.flatMap((p) => (p.price ? [[p.name, p.price] as const] : [])));
}

function buildProvider(spec: ProviderSpec, ctx: ProviderContext): Provider {
  // The union ties each type to its settings; TypeScript cannot follow that through the lookup.
  const type = PROVIDER_TYPES[spec.type] as ProviderType<unknown>;
  return type.build(spec.name, spec.settings, ctx);
}
