import { bootstrapAccount } from './accounts/accounts.js';
import { ensureCodeKeys } from './config/code-key.js';
import { compose } from './compose.js';
import { ConfigError, loadConfig } from './config/config.js';
import type { Account } from './domain/types.js';
import { closeOnSignals } from './shutdown.js';
import { announceMode, createdAccountNotice, warnLooseFiles, writeCredentialsFile } from './startup.js';
import { startExpirySweep, startRetention } from './sweep.js';

async function main(): Promise<void> {
  const config = ensureCodeKeys(loadConfig());
  const c = await compose(config);
  const { app } = c;
  announceMode(config, app.log);

  // Production writes generated credentials to a 0600 file (refusing to start if it exists), before the account is stored.
  const keep = config.mode === 'production' ? (a: Account) => writeCredentialsFile(config.bootstrapCredentialsFile, a) : undefined;
  const created = await bootstrapAccount(c.stores.accounts, c.clock, { accountSid: config.bootstrapAccountSid, authToken: config.bootstrapAuthToken }, keep);
  // Printed once, to the terminal and not to the log stream, so the token never lands in log storage.
  if (created) process.stdout.write(createdAccountNotice(config, created));
  warnLooseFiles(config, app.log);

  const sweep = startExpirySweep(c.stores.verifications, c.clock, config.expirySweepMs, app.log);
  const retention = startRetention(c.stores, c.clock, config.attemptRetentionMs, 60_000, app.log);
  c.dispatcher?.start();
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ mode: config.mode, store: c.stores.dialect.name, publicBaseUrl: config.publicBaseUrl }, 'verifyd listening');

  closeOnSignals(app.log, async () => {
    sweep.stop();
    retention.stop();
    await c.close();
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
