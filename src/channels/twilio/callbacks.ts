import type { Provider } from '../provider.js';
import { TwilioProvider } from './provider.js';

/** The status-callback tokens of the Twilio providers among `providers`, by name (api/own/twilio-callbacks.ts takes them). */
export function twilioCallbackTokens(providers: readonly Provider[]): { authTokenFor(providerName: string): string | undefined } {
  const tokens = new Map(providers.filter((p): p is TwilioProvider => p instanceof TwilioProvider).map((p) => [p.name, p.authToken]));
  return { authTokenFor: (name) => tokens.get(name) };
}
