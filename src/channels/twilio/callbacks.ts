import type { Clock } from '../../domain/clock.js';
import type { Provider } from '../provider.js';
import type { GatherQuery } from './gather.js';
import { TwilioProvider } from './provider.js';
import { hangupTwiml } from './twiml.js';

/** What api/own/twilio-callbacks.ts needs of the Twilio providers among `providers`, by name. */
export function twilioCallbackTokens(
  providers: readonly Provider[],
  clock: Clock,
): { authTokenFor(providerName: string): string | undefined; spokenCodeTwiml(providerName: string, query: Partial<Record<keyof GatherQuery, unknown>>): string } {
  const byName = new Map(providers.filter((p): p is TwilioProvider => p instanceof TwilioProvider).map((p) => [p.name, p]));
  return {
    authTokenFor: (name) => byName.get(name)?.authToken,
    spokenCodeTwiml: (name, query) => byName.get(name)?.spokenCodeTwiml(query, clock.now().getTime()) ?? hangupTwiml(),
  };
}
