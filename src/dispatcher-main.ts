import { composeEvents, composeDispatcher } from './compose.js';
import { ConfigError, loadConfig } from './config/config.js';
import pino from 'pino';
import { closeOnSignals } from './shutdown.js';
import { announceMode, warnLooseFiles } from './startup.js';

/**
 * The event dispatcher on its own (`npm run dispatcher`), for deployments that keep delivery off
 * the API nodes: set EVENTS_DISPATCHER=off there and run this beside them on the same database.
 * On PostgreSQL other processes' commits wake it (LISTEN/NOTIFY); EVENTS_POLL_MS is the fallback.
 */
async function main(): Promise<void> {
  // It never hashes or checks a code, so it runs without CODE_KEYS.
  const config = loadConfig(process.env, { needsCodeKeys: false });
  const log = pino({ level: config.logLevel });
  announceMode(config, log);
  const c = await composeEvents(config);
  warnLooseFiles(config, log);
  const dispatcher = composeDispatcher(c, config, log);
  dispatcher.start();
  log.info({ mode: config.mode, store: c.stores.dialect.name, pollMs: config.events.pollMs }, 'verifyd event dispatcher running');
  closeOnSignals(log, async () => {
    await dispatcher.stop();
    await c.close();
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
