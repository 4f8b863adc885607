import type { Clock } from '../domain/clock.js';
import type { InboxStore } from '../domain/ports.js';
import { InboxProvider } from './inbox.js';
import type { Provider } from './provider.js';
import { ProviderRegistry, type Routes } from './registry.js';
import type { TwilioProviderConfig } from './twilio/config.js';
import { TwilioProvider } from './twilio/provider.js';

/** A provider as configuration names it; each type adds its own settings beside `name` and `type`. */
export type ProviderSpec = { name: string; type: 'inbox' } | TwilioProviderConfig;

export interface ProvidersConfig {
  providers: readonly ProviderSpec[];
  routes: Routes;
}

/** The one configuration there is today: every channel goes to the inbox. */
export const INBOX_EVERYWHERE: ProvidersConfig = {
  providers: [{ name: 'inbox', type: 'inbox' }],
  routes: { sms: { default: ['inbox'] }, call: { default: ['inbox'] }, whatsapp: { default: ['inbox'] }, email: { default: ['inbox'] } },
};

/**
 * No provider at all: production with the inbox off, until real providers can be configured. Every
 * code channel then answers 60223 (delivery channel disabled).
 */
export const NO_PROVIDERS: ProvidersConfig = { providers: [], routes: {} };

/** The providers a Config asks for: the inbox everywhere, or none when INBOX_ENABLED is false. */
export const configuredProviders = (config: { inboxEnabled: boolean }): ProvidersConfig => (config.inboxEnabled ? INBOX_EVERYWHERE : NO_PROVIDERS);

/** What providers may be built with. */
export interface ProviderContext {
  store: InboxStore;
  clock: Clock;
  /** PUBLIC_BASE_URL, read on use: providers put their status callback URLs under it. */
  publicBaseUrl: () => string;
}

export function buildRegistry(config: ProvidersConfig, ctx: ProviderContext): ProviderRegistry {
  return new ProviderRegistry(config.providers.map((spec) => buildProvider(spec, ctx)), config.routes);
}

function buildProvider(spec: ProviderSpec, ctx: ProviderContext): Provider {
  switch (spec.type) {
    case 'inbox':
      return new InboxProvider(ctx.store, ctx.clock, spec.name);
    case 'twilio':
      return new TwilioProvider(spec, ctx.publicBaseUrl);
  }
}
