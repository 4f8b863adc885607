import { dirname } from 'node:path';
import { ConfigError, type Config } from './config/config.js';
import { bootstrapTokenDiffers } from './accounts/accounts.js';
import type { AccountStore } from './domain/ports.js';
import type { Account } from './domain/types.js';
import type { Log } from './log.js';
import { PRIVATE_DIR, PRIVATE_FILE, createPrivateFile, loosePaths, makePrivateDir } from './private-files.js';

/**
 * What the entry points (`npm start`, `npm run dispatcher`, the CLI) say and write at start because
 * of the mode and of what lies on disk (docs/security.md).
 */

/**
 * Development: one info line saying what is on and that it is not for real users. Production: a
 * warning for each development part switched back on. Settings only, never a secret.
 */
export function announceMode(config: Config, log: Pick<Log, 'info' | 'warn'>): void {
  if (config.mode === 'development') {
    const blocked = config.events.webhookBlockedNetworks;
    const open = [!blocked.blocks('127.0.0.1') && 'loopback', !blocked.blocks('10.0.0.1') && 'private'].filter((n) => n !== false);
    const on = [
      config.inboxEnabled && 'inbox provider on (codes readable at /inbox)',
      config.snaSimulator && 'SNA carrier simulator on (/sna approves whoever opens the URL)',
      open.length > 0 && `webhooks to ${open.join(' and ')} networks allowed`,
    ].filter((s) => s !== false);
    const summary = on.length > 0 ? on.join(', ') : 'development defaults';
    log.info(
      { mode: config.mode, inbox: config.inboxEnabled, snaSimulator: config.snaSimulator, webhookBlockedNetworks: blocked.spec },
      `development mode, not for real users: ${summary}; set VERIFYD_ENV=production for real users`,
    );
    return;
  }
  if (config.inboxEnabled) {
    log.warn({ mode: config.mode, setting: 'INBOX_ENABLED' }, 'INBOX_ENABLED=true in production: codes are kept in plain text and served at /inbox to any account credential');
  }
  if (config.snaSimulator) {
    log.warn({ mode: config.mode, setting: 'SNA_SIMULATOR' }, 'SNA_SIMULATOR=true in production: sna verifications are approved by whoever opens their URL, no carrier is asked');
  }
}

/**
 * TWILIO_AUTH_TOKEN only creates the first account: when it no longer is that account's primary
 * token (rotated since, or the variable edited), the stored token stays in force and this says so,
 * naming the commands that change it. Neither token is logged.
 */
export async function warnStaleBootstrapToken(accounts: AccountStore, config: Config, log: Pick<Log, 'warn'>): Promise<void> {
  const env = { accountSid: config.bootstrapAccountSid, authToken: config.bootstrapAuthToken };
  if (!(await bootstrapTokenDiffers(accounts, env))) return;
  const sid = env.accountSid as string;
  log.warn(
    { accountSid: sid, setting: 'TWILIO_AUTH_TOKEN' },
    `TWILIO_AUTH_TOKEN is not the primary auth token stored for ${sid}; the stored token stays in force (the variable only creates the first account). ` +
      `To change the token, run \`npm run cli -- account rotate-token --account ${sid}\` then \`npm run cli -- account promote-token --account ${sid}\`; or unset TWILIO_AUTH_TOKEN.`,
  );
}

/** The folder and files this configuration has verifyd keep for its own user only. */
export function privatePaths(config: Config): Array<{ path: string; wanted: number }> {
  const paths: Array<{ path: string; wanted: number }> = [];
  if (config.databaseUrl === null) {
    paths.push({ path: dirname(config.sqlitePath), wanted: PRIVATE_DIR });
    for (const suffix of ['', '-wal', '-shm']) paths.push({ path: config.sqlitePath + suffix, wanted: PRIVATE_FILE });
  }
  if (config.codeKeyFile !== null) paths.push({ path: config.codeKeyFile, wanted: PRIVATE_FILE });
  if (config.tokenKeyFile !== null) paths.push({ path: config.tokenKeyFile, wanted: PRIVATE_FILE });
  if (config.mode === 'production') paths.push({ path: config.bootstrapCredentialsFile, wanted: PRIVATE_FILE });
  return paths;
}

const octal = (mode: number) => `0${mode.toString(8)}`;

/**
 * A warning for each of those that grants anything to other local users. What verifyd creates is
 * private already; what existed before is left as it is (the operator may have reasons), but said.
 */
export function warnLooseFiles(config: Config, log: Pick<Log, 'warn'>): void {
  for (const { path, mode, wanted } of loosePaths(privatePaths(config))) {
    log.warn({ path, mode: octal(mode), wanted: octal(wanted) }, `${path} is readable by other local users (mode ${octal(mode)}); chmod ${octal(wanted)} it`);
  }
}

/**
 * Production's hand-over of generated first-start credentials: a new 0600 file, written before the
 * account is stored. An existing file is never overwritten (it may hold an earlier first start's
 * credentials): the start is refused and nothing is created.
 */
export function writeCredentialsFile(file: string, account: Account): void {
  try {
    makePrivateDir(dirname(file));
    createPrivateFile(file, `TWILIO_ACCOUNT_SID=${account.sid}\nTWILIO_AUTH_TOKEN=${account.authToken}\n`);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists already; move it away to have a new account created and written there' : (err as Error).message;
    throw new ConfigError([`BOOTSTRAP_CREDENTIALS_FILE: ${file} ${why}`]);
  }
}

/** What stdout says about the generated first account (never the log, so the token stays out of log storage). */
export function createdAccountNotice(config: Config, account: Account): string {
  if (config.mode === 'production') {
    return `\nverifyd created its first account; its credentials are in ${config.bootstrapCredentialsFile} (mode 0600). Keep them; verifyd does not show them again.\n\n`;
  }
  return (
    `\nverifyd created its first account. Keep these; they are not shown again:\n` +
    `  TWILIO_ACCOUNT_SID=${account.sid}\n  TWILIO_AUTH_TOKEN=${account.authToken}\n\n`
  );
}

const LISTEN_FAILURES: Record<string, string> = {
  EADDRINUSE: 'another process is listening there',
  EACCES: 'this user may not listen there (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this machine has no such address',
};

/**
 * A start-up failure for the terminal: one line where the cause is the operator's to fix (the
 * configuration, a port already taken), the stack only for what nobody expected.
 */
export function startupFailure(err: unknown): string {
  if (err instanceof ConfigError) return err.message;
  const e = err as (NodeJS.ErrnoException & { address?: string; port?: number }) | null;
  const cause = e?.syscall === 'listen' && e.code ? LISTEN_FAILURES[e.code] : undefined;
  if (cause) return `verifyd cannot listen on ${e!.address}:${e!.port}: ${cause} (${e!.code}). Set HOST and PORT to an address and port that are free.`;
  return (err as Error)?.stack ?? String(err);
}
