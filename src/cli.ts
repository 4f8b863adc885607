import { parseArgs } from 'node:util';
import { createAccount, createApiKey } from './accounts/accounts.js';
import { ensureCodeKeys } from './config/code-key.js';
import { ConfigError, loadConfig } from './config/config.js';
import { systemClock } from './domain/clock.js';
import { isSid } from './domain/ids.js';
import { warnLooseFiles } from './startup.js';
import { openStores } from './storage/open.js';

const USAGE = `usage:
  npm run cli -- account create [--name NAME]
  npm run cli -- api-key create --account AC... [--name NAME]

Uses the same DATABASE_URL / SQLITE_PATH as the server. Secrets are printed once, here only.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: 'string' }, account: { type: 'string' } } });
  const [resource, action] = positionals;
  if (action !== 'create' || (resource !== 'account' && resource !== 'api-key')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // Generates the local code key too, as the server would: the CLI may be what runs first.
  const config = ensureCodeKeys(loadConfig());
  const stores = await openStores({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: 1 });
  // stdout carries only the secrets asked for; warnings go to stderr.
  warnLooseFiles(config, { warn: (_obj, msg) => process.stderr.write(`warning: ${msg}\n`) });
  try {
    if (resource === 'account') {
      const a = await createAccount(stores.accounts, systemClock, { friendlyName: values.name });
      process.stdout.write(`TWILIO_ACCOUNT_SID=${a.sid}\nTWILIO_AUTH_TOKEN=${a.authToken}\n`);
      return 0;
    }
    const accountSid = values.account ?? '';
    if (!isSid(accountSid, 'AC') || !(await stores.accounts.getAccount(accountSid))) {
      process.stderr.write(`unknown account: ${JSON.stringify(accountSid)}\n`);
      return 1;
    }
    const key = await createApiKey(stores.accounts, systemClock, accountSid, values.name);
    process.stdout.write(`API_KEY_SID=${key.sid}\nAPI_KEY_SECRET=${key.secret}\nACCOUNT_SID=${accountSid}\n`);
    return 0;
  } finally {
    await stores.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
