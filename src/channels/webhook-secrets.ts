import type { ProviderWebhookSecrets } from '../api/own/provider-webhooks.js';
import type { Provider } from './provider.js';
import { SendgridProvider } from './sendgrid/provider.js';
import { WhatsappCloudProvider } from './whatsapp-cloud/provider.js';

/** What api/own/provider-webhooks.ts needs of the WhatsApp Cloud and SendGrid providers among `providers`, by name. */
export function providerWebhookSecrets(providers: readonly Provider[]): ProviderWebhookSecrets {
  const whatsapp = new Map(providers.filter((p): p is WhatsappCloudProvider => p instanceof WhatsappCloudProvider).map((p) => [p.name, p]));
  const sendgrid = new Map(providers.filter((p): p is SendgridProvider => p instanceof SendgridProvider).map((p) => [p.name, p]));
  return {
    whatsappCloud: (name) => {
      const p = whatsapp.get(name);
      if (!p) return undefined;
      // Meta posts all of an app's webhooks to one URL: a status of another number of the same app (same secret) is that number's provider's.
      const sameApp = [...whatsapp.values()].filter((o) => o.appSecret === p.appSecret);
      const senderOf = (phoneNumberId: unknown) => sameApp.find((o) => o.phoneNumberId === phoneNumberId)?.name ?? p.name;
      return { appSecret: p.appSecret, verifyToken: p.verifyToken, senderOf };
    },
    sendgrid: (name) => {
      const p = sendgrid.get(name);
      return p && { eventWebhookKey: p.eventWebhookKey ?? null };
    },
  };
}
