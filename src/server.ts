import { bootstrapAccount } from './accounts/accounts.js';
import { compose, type Overrides } from './compose.js';
import type { Config } from './config/config.js';
import type { Account } from './domain/types.js';
import { closeOnSignals } from './shutdown.js';
import { announceMode, createdAccountNotice, warnLooseFiles, warnStaleBootstrapToken, writeCredentialsFile } from './startup.js';
import { startExpirySweep, startRetention } from './sweep.js';

/**
 * What `npm start` runs once its configuration is read: the composition, the first account, the
 * sweeps and dispatchers, the listener and the graceful shutdown. `overrides` is for a test's own
 * entry point (stand-in providers), never set by src/main.ts.
 */
export async function runServer(config: Config, overrides: Overrides = {}): Promise<void> {
  const c = await compose(config, overrides);
  const { app } = c;
  announceMode(config, app.log);

  // Production writes generated credentials to a 0600 file (refusing to start if it exists), before the account is stored.
  const keep = config.mode === 'production' ? (a: Account) => writeCredentialsFile(config.bootstrapCredentialsFile, a) : undefined;
  const created = await bootstrapAccount(c.stores.accounts, c.clock, { accountSid: config.bootstrapAccountSid, authToken: config.bootstrapAuthToken }, keep);
  // Printed once, to the terminal and not to the log stream, so the token never lands in log storage.
  if (created) process.stdout.write(createdAccountNotice(config, created));
  await warnStaleBootstrapToken(c.stores.accounts, config, app.log);
  warnLooseFiles(config, app.log);

  const sweep = startExpirySweep(c.stores.verifications, c.clock, config.expirySweepMs, app.log);
  const retention = startRetention(c.stores, c.clock, config.attemptRetentionMs, 60_000, app.log);
  c.dispatcher?.start();
  c.sendDispatcher?.start();
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ mode: config.mode, store: c.stores.dialect.name, publicBaseUrl: config.publicBaseUrl }, 'verifyd listening');

  closeOnSignals(app.log, async () => {
    sweep.stop();
    retention.stop();
    await c.close();
  });
}
