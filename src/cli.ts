import { parseArgs } from 'node:util';
import { createAccount, createApiKey, promoteToken, rotateToken } from './accounts/accounts.js';
import { ensureLocalKeys } from './config/local-keys.js';
import { ConfigError, loadConfig } from './config/config.js';
import { systemClock } from './domain/clock.js';
import { isSid } from './domain/ids.js';
import { warnLooseFiles } from './startup.js';
import { openStores } from './storage/open.js';
import type { Stores } from './storage/stores.js';
import { TwilioError } from './domain/errors.js';
import { newSid } from './domain/ids.js';
import { createTemplate, deleteTemplate, listTemplates } from './domain/templates/templates.js';
import { fail, knownAccount } from './cli-args.js';
import { geoCommand, GEO_USAGE } from './cli-geo.js';
import { guardCommand, GUARD_USAGE } from './cli-guard.js';

const USAGE = `usage:
  npm run cli -- account create [--name NAME]
  npm run cli -- account rotate-token --account AC...
  npm run cli -- account promote-token --account AC...
  npm run cli -- api-key create --account AC... [--name NAME]
  npm run cli -- api-key list --account AC...
  npm run cli -- api-key delete SK...
  npm run cli -- template create --account AC... --name NAME --channels sms,voice --text LOCALE=TEXT [--text LOCALE=TEXT ...]
  npm run cli -- template list --account AC...
  npm run cli -- template delete HJ...
${GEO_USAGE}
${GUARD_USAGE}

A template's text uses {{code}} (required), {{friendly_name}}, {{ttl}} (minutes) and any
{{variable}} a start fills with TemplateCustomSubstitutions. The en text, else the first, is the
default translation.

rotate-token makes a secondary auth token (replacing an earlier secondary); both work until
promote-token makes it the primary (which signs webhooks) and the old primary stops working on
every node. api-key delete stops the key working on every node.

Uses the same DATABASE_URL / SQLITE_PATH as the server. Secrets are printed once, here only.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      account: { type: 'string' },
      channels: { type: 'string' },
      text: { type: 'string', multiple: true },
      service: { type: 'string' },
      channel: { type: 'string' },
      allow: { type: 'string' },
      block: { type: 'string' },
      level: { type: 'string' },
    },
  });
  const [resource, action] = positionals;
  const actions: Record<string, string[]> = {
    account: ['create', 'rotate-token', 'promote-token'],
    'api-key': ['create', 'list', 'delete'],
    template: ['create', 'list', 'delete'],
    geo: ['set', 'clear', 'list'],
    guard: ['set', 'report'],
  };
  const known = resource !== undefined && action !== undefined && (actions[resource] ?? []).includes(action);
  if (!known) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  // Generates the local code key too, as the server would: the CLI may be what runs first.
  const config = ensureLocalKeys(loadConfig());
  const stores = await openStores({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: 1, tokenKeys: config.tokenKeys });
  // stdout carries only the secrets asked for; warnings go to stderr.
  warnLooseFiles(config, { warn: (_obj, msg) => process.stderr.write(`warning: ${msg}\n`) });
  try {
    if (resource === 'template') return await template(stores, action as string, values, positionals[2]);
    if (resource === 'geo') return await geoCommand(stores, action as string, values);
    if (resource === 'guard') return await guardCommand(stores, action as string, values);
    if (resource === 'account' && action === 'create') {
      const a = await createAccount(stores.accounts, systemClock, { friendlyName: values.name });
      process.stdout.write(`TWILIO_ACCOUNT_SID=${a.sid}\nTWILIO_AUTH_TOKEN=${a.authToken}\n`);
      return 0;
    }
    if (resource === 'api-key' && action === 'delete') return await deleteKey(stores, positionals[2]);
    const accountSid = await knownAccount(stores, values.account);
    if (accountSid === null) return 1;
    if (resource === 'account') return await accountToken(stores, action as string, accountSid);
    if (action === 'list') {
      for (const k of await stores.accounts.listApiKeys(accountSid)) process.stdout.write(`${k.sid}\t${k.friendlyName}\t${new Date(k.dateCreated).toISOString()}\n`);
      return 0;
    }
    const key = await createApiKey(stores.accounts, systemClock, accountSid, values.name);
    process.stdout.write(`API_KEY_SID=${key.sid}\nAPI_KEY_SECRET=${key.secret}\nACCOUNT_SID=${accountSid}\n`);
    return 0;
  } finally {
    await stores.close();
  }
}

/** account rotate-token|promote-token: Twilio's secondary auth token. */
async function accountToken(stores: Stores, action: string, accountSid: string): Promise<number> {
  if (action === 'rotate-token') {
    const secondary = await rotateToken(stores.accounts, accountSid);
    process.stdout.write(`TWILIO_ACCOUNT_SID=${accountSid}\nTWILIO_SECONDARY_AUTH_TOKEN=${secondary}\n`);
    return 0;
  }
  if (!(await promoteToken(stores.accounts, accountSid))) return fail(`${accountSid} has no secondary auth token: make one with account rotate-token first`, 1);
  process.stdout.write(`the secondary auth token of ${accountSid} is now its primary one; the old primary no longer works\n`);
  return 0;
}

/** api-key delete: the key stops working on every node (the store announces the deletion). */
async function deleteKey(stores: Stores, sid: string | undefined): Promise<number> {
  if (!isSid(sid, 'SK') || !(await stores.accounts.deleteApiKey(sid))) return fail(`unknown API key: ${JSON.stringify(sid ?? '')}`, 1);
  process.stdout.write(`deleted ${sid}\n`);
  return 0;
}

type TemplateArgs = { name?: string; account?: string; channels?: string; text?: string[] };

/** template create|list|delete: the account's Verify templates, which GET /v2/Templates lists. */
async function template(stores: Stores, action: string, values: TemplateArgs, sid: string | undefined): Promise<number> {
  if (action === 'delete') {
    if (!isSid(sid, 'HJ') || !(await deleteTemplate({ store: stores.templates }, sid))) return fail(`unknown template: ${JSON.stringify(sid ?? '')}`, 1);
    process.stdout.write(`deleted ${sid}\n`);
    return 0;
  }
  const accountSid = await knownAccount(stores, values.account);
  if (accountSid === null) return 1;
  if (action === 'list') {
    const rows = await listTemplates({ store: stores.templates }, accountSid, {}, { offset: 0, limit: 10_000 });
    for (const t of rows) process.stdout.write(`${t.sid}\t${t.friendlyName}\t${t.channels.join(',')}\t${Object.keys(t.translations).join(',')}\n`);
    return 0;
  }
  const texts = (values.text ?? []).map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? { locale: '', text: pair } : { locale: pair.slice(0, at), text: pair.slice(at + 1) };
  });
  try {
    const t = await createTemplate({ store: stores.templates, clock: systemClock, ids: newSid }, accountSid, {
      friendlyName: values.name ?? '',
      channels: (values.channels ?? 'sms').split(',').map((c) => c.trim()),
      texts,
    });
    process.stdout.write(`TEMPLATE_SID=${t.sid}\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof TwilioError)) throw err;
    return fail(err.message);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
