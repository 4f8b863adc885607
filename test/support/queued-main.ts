/**
 * verifyd as `npm start` runs it (src/server.ts), but with SMS routed to an HttpProvider at
 * TEST_PROVIDER_URL (gated, see http-provider.ts) and every other channel to the inbox: the process
 * tests' way to have a queued provider without the VERIFYD_CONFIG file. Only tests run this file.
 */
import { InboxProvider } from '../../src/channels/inbox.js';
import { INBOX_EVERYWHERE } from '../../src/channels/providers.js';
import { ProviderRegistry } from '../../src/channels/registry.js';
import { ProviderSender } from '../../src/channels/sender.js';
import { ensureCodeKeys } from '../../src/config/code-key.js';
import { loadConfig } from '../../src/config/config.js';
import { runServer } from '../../src/server.js';
import { HttpProvider } from './http-provider.js';

const { TEST_PROVIDER_URL: url, ...env } = process.env;
if (!url) throw new Error('TEST_PROVIDER_URL is required');

await runServer(ensureCodeKeys(loadConfig(env)), {
  sender: (stores, clock) =>
    new ProviderSender(
      new ProviderRegistry([new InboxProvider(stores.inbox, clock), new HttpProvider('http', ['sms'], url, true)], { ...INBOX_EVERYWHERE.routes, sms: { default: ['http'] } }),
    ),
});
