/**
 * verifyd as `npm start` runs it (src/server.ts), but with SMS routed to an HttpProvider at
 * TEST_PROVIDER_URL (gated, see http-provider.ts, unless TEST_PROVIDER_GATE=off) and every other
 * channel to the inbox: the process tests' (and the bench's queued scenario's) way to have a queued
 * provider without the VERIFYD_CONFIG file. Only tests and the bench run this file.
 */
import { InboxProvider } from '../../src/channels/inbox.js';
import { INBOX_EVERYWHERE } from '../../src/channels/providers.js';
import { ProviderRegistry } from '../../src/channels/registry.js';
import { ProviderSender } from '../../src/channels/sender.js';
import { ensureLocalKeys } from '../../src/config/local-keys.js';
import { loadConfig } from '../../src/config/config.js';
import { runServer } from '../../src/server.js';
import { HttpProvider } from './http-provider.js';

const { TEST_PROVIDER_URL: url, TEST_PROVIDER_GATE: gate, ...env } = process.env;
if (!url) throw new Error('TEST_PROVIDER_URL is required');

await runServer(ensureLocalKeys(loadConfig(env)), {
  sender: (stores, clock) =>
    new ProviderSender(
      new ProviderRegistry([new InboxProvider(stores.inbox, clock), new HttpProvider('http', ['sms'], url, gate !== 'off')], { ...INBOX_EVERYWHERE.routes, sms: { default: ['http'] } }),
    ),
});
