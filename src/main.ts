import { ensureLocalKeys } from './config/local-keys.js';
import { loadConfig } from './config/config.js';
import { runServer } from './server.js';
import { startupFailure } from './startup.js';

// Inside the promise, so a bad configuration is reported like any other start-up failure.
Promise.resolve()
  .then(() => runServer(ensureLocalKeys(loadConfig())))
  .catch((err) => {
    process.stderr.write(`${startupFailure(err)}\n`);
    process.exit(1);
  });
