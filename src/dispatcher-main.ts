import { ProviderSender } from './channels/sender.js';
import { composeDispatcher, composeEvents, composeSendDispatcher, senderOptions } from './compose.js';
import { ensureLocalKeys } from './config/local-keys.js';
import { loadConfig } from './config/config.js';
import pino from 'pino';
import { closeOnSignals } from './shutdown.js';
import { announceMode, startupFailure, warnLooseFiles } from './startup.js';

/**
 * The dispatchers on their own (`npm run dispatcher`): Event Streams deliveries and the send
 * queue, for deployments that keep both off the API nodes (EVENTS_DISPATCHER=off and
 * SEND_DISPATCHER=off there) and run this beside them on the same database. On PostgreSQL other
 * processes' commits wake it (LISTEN/NOTIFY); EVENTS_POLL_MS is the fallback.
 */
async function main(): Promise<void> {
  // Queued codes are derived (or unsealed) here, under the API nodes' CODE_KEYS.
  const config = ensureLocalKeys(loadConfig(process.env));
  const log = pino({ level: config.logLevel });
  announceMode(config, log);
  const c = await composeEvents(config);
  warnLooseFiles(config, log);
  const dispatcher = composeDispatcher(c, config, log);
  const sends = composeSendDispatcher(c, new ProviderSender(c.providers, senderOptions(config, c.stores, c.clock)), config, log);
  dispatcher.start();
  sends.start();
  log.info({ mode: config.mode, store: c.stores.dialect.name, pollMs: config.events.pollMs }, 'verifyd event dispatcher running');
  closeOnSignals(log, async () => {
    await dispatcher.stop();
    await sends.stop();
    await c.close();
  });
}

main().catch((err) => {
  process.stderr.write(`${startupFailure(err)}\n`);
  process.exit(1);
});
