import { ensureLocalKeys } from './config/local-keys.js';
import { ConfigError, loadConfig } from './config/config.js';
import { runServer } from './server.js';

// Inside the promise, so a bad configuration is reported like any other start-up failure.
Promise.resolve()
  .then(() => runServer(ensureLocalKeys(loadConfig())))
  .catch((err) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
