import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { parseCodeKeys, type CodeKey } from '../domain/code/keys.js';
import { BlockedNetworks, DEFAULT_BLOCKED_NETWORKS } from '../domain/events/networks.js';
import { NO_PRICES, parsePriceTable, type PriceTable } from '../domain/prices.js';

export interface Config {
  host: string;
  port: number;
  publicBaseUrl: string;
  databaseUrl: string | null;
  sqlitePath: string;
  dbPoolSize: number;
  codeKeys: CodeKey[];
  verificationTtlMs: number;
  expirySweepMs: number;
  bodyLimitBytes: number;
  logLevel: string;
  attemptsRatePerMinute: number;
  attemptRetentionMs: number;
  prices: PriceTable;
  bootstrapAccountSid: string | null;
  bootstrapAuthToken: string | null;
  events: EventsConfig;
}

/** The event dispatcher and how it reaches sinks. */
export interface EventsConfig {
  /** Whether `npm start` runs a dispatcher (`npm run dispatcher` runs one on its own). */
  dispatcher: boolean;
  pollMs: number;
  lingerMs: number;
  sinkConcurrency: number;
  leaseMs: number;
  retryBaseMs: number;
  retryWindowMs: number;
  kinesisEndpoint: string | null;
  kinesisRegion: string | null;
  /** Whether Kinesis sinks are written as their role_arn (KINESIS_ASSUME_ROLE). */
  kinesisAssumeRole: boolean;
  kinesisStsEndpoint: string | null;
  /** Networks webhooks are never delivered to (EVENTS_WEBHOOK_BLOCKED_NETWORKS). */
  webhookBlockedNetworks: BlockedNetworks;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export interface LoadOptions {
  /**
   * false for processes that never hash or check a code (the event dispatcher): CODE_KEYS is then
   * not required, and no local key is generated; one that is given is still checked.
   */
  needsCodeKeys?: boolean;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the whole configuration from the environment and fails listing every bad key at once,
 * so an operator fixes them in one go rather than one restart per mistake.
 */
export function loadConfig(env: Env = process.env, opts: LoadOptions = {}): Config {
  const problems: string[] = [];
  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    // Decimal digits only: Number() alone would also take "0x50", "1e3" or " 80 ".
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} must be an integer between ${min} and ${max} (got ${JSON.stringify(raw)})`);
      return def;
    }
    return n;
  };
  const onOff = (key: string, def: 'on' | 'off'): boolean => {
    const v = env[key] || def;
    if (v !== 'on' && v !== 'off') problems.push(`${key} must be on or off (got ${JSON.stringify(v)})`);
    return v === 'on';
  };
  const httpUrl = (key: string): string | null => {
    const v = env[key] || null;
    if (v && !(/^https?:\/\//.test(v) && URL.canParse(v))) problems.push(`${key} must be an http:// or https:// URL`);
    return v;
  };

  const host = env.HOST || '127.0.0.1';
  const port = int('PORT', 4000, 0, 65535);
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must start with postgres:// or postgresql://');
  const sqlitePath = resolve(env.SQLITE_PATH || './data/verifyd.db');

  let publicBaseUrl = env.PUBLIC_BASE_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    publicBaseUrl = new URL(publicBaseUrl).toString().replace(/\/$/, '');
  } catch {
    problems.push(`PUBLIC_BASE_URL is not a URL (got ${JSON.stringify(env.PUBLIC_BASE_URL)})`);
  }

  let codeKeys: CodeKey[] = [];
  const needsCodeKeys = opts.needsCodeKeys ?? true;
  try {
    codeKeys = env.CODE_KEYS ? parseCodeKeys(env.CODE_KEYS) : databaseUrl || !needsCodeKeys ? [] : [localKey(dirname(sqlitePath))];
    if (codeKeys.length === 0 && needsCodeKeys) {
      problems.push('CODE_KEYS is required with DATABASE_URL: every node must hash codes with the same key (e.g. CODE_KEYS=k1:$(openssl rand -hex 32))');
    }
  } catch (err) {
    problems.push(`CODE_KEYS: ${(err as Error).message}`);
  }

  // Checked here: pino would otherwise throw "unknown level" from buildApp, after the store opened.
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(logLevel)})`);

  const accountSid = env.TWILIO_ACCOUNT_SID || null;
  const authToken = env.TWILIO_AUTH_TOKEN || null;
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hex characters');
  if ((accountSid === null) !== (authToken === null)) problems.push('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together');

  let prices = NO_PRICES;
  if (env.PRICE_TABLE) {
    try {
      const text = env.PRICE_TABLE.startsWith('@') ? readFileSync(env.PRICE_TABLE.slice(1), 'utf8') : env.PRICE_TABLE;
      prices = parsePriceTable(text);
    } catch (err) {
      problems.push(`PRICE_TABLE: ${(err as Error).message}`);
    }
  }

  let webhookBlockedNetworks = new BlockedNetworks(DEFAULT_BLOCKED_NETWORKS);
  if (env.EVENTS_WEBHOOK_BLOCKED_NETWORKS) {
    try {
      webhookBlockedNetworks = new BlockedNetworks(env.EVENTS_WEBHOOK_BLOCKED_NETWORKS);
    } catch (err) {
      problems.push(`EVENTS_WEBHOOK_BLOCKED_NETWORKS ${(err as Error).message}`);
    }
  }

  const config: Config = {
    host,
    port,
    publicBaseUrl,
    databaseUrl,
    sqlitePath,
    dbPoolSize: int('DB_POOL_SIZE', 10, 1, 200),
    codeKeys,
    verificationTtlMs: int('VERIFICATION_TTL_SECONDS', 600, 60, 86_400) * 1000,
    expirySweepMs: int('EXPIRY_SWEEP_SECONDS', 5, 1, 3600) * 1000,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', 65_536, 1024, 10 * 1024 * 1024),
    logLevel,
    attemptsRatePerMinute: int('ATTEMPTS_RATE_LIMIT_PER_MINUTE', 100, 1, 1_000_000),
    attemptRetentionMs: int('ATTEMPT_RETENTION_DAYS', 30, 1, 3650) * 86_400_000,
    prices,
    bootstrapAccountSid: accountSid,
    bootstrapAuthToken: authToken,
    events: {
      dispatcher: onOff('EVENTS_DISPATCHER', 'on'),
      pollMs: int('EVENTS_POLL_MS', 1000, 10, 60_000),
      lingerMs: int('EVENTS_LINGER_MS', 10, 0, 1000),
      sinkConcurrency: int('EVENTS_SINK_CONCURRENCY', 64, 1, 1000),
      // Longer than the 5-second webhook timeout: only a crashed dispatcher's claims lapse.
      leaseMs: int('EVENTS_LEASE_SECONDS', 60, 6, 3600) * 1000,
      retryBaseMs: int('EVENTS_RETRY_BASE_MS', 1000, 10, 600_000),
      retryWindowMs: int('EVENTS_RETRY_WINDOW_SECONDS', 4 * 3600, 1, 7 * 86_400) * 1000,
      kinesisEndpoint: httpUrl('KINESIS_ENDPOINT'),
      kinesisRegion: env.KINESIS_REGION || null,
      kinesisAssumeRole: onOff('KINESIS_ASSUME_ROLE', 'off'),
      kinesisStsEndpoint: httpUrl('KINESIS_STS_ENDPOINT'),
      webhookBlockedNetworks,
    },
  };
  if (config.events.kinesisStsEndpoint && !config.events.kinesisAssumeRole) {
    problems.push('KINESIS_STS_ENDPOINT is only used with KINESIS_ASSUME_ROLE=on');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/**
 * With the embedded store and no CODE_KEYS, a key is generated once and kept beside the database
 * (mode 0600), so `npm start` needs no setup and codes survive restarts.
 */
function localKey(dir: string): CodeKey {
  const file = resolve(dir, 'code-key');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written to a temporary name and linked into place, so a second process starting at the same
    // moment (another server, or the CLI) never reads a half-written file, and whichever process
    // links first wins (EEXIST for the other, which then reads the winner's key).
    const key = randomBytes(32).toString('hex');
    const exists = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      writeFileSync(tmp, key, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      linkSync(tmp, file);
    } catch (err) {
      // A file system without hard links: fall back to an exclusive create.
      if (!exists(err)) {
        try {
          writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
          chmodSync(file, 0o600);
        } catch (err2) {
          if (!exists(err2)) throw err2;
        }
      }
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.length < 32) throw new Error(`the key in ${file} is shorter than 32 bytes; delete it to have a new one generated`);
  return { id: 'local', secret };
}
