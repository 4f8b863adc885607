import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { parseCodeKeys, type CodeKey } from '../domain/code/keys.js';

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
  bootstrapAccountSid: string | null;
  bootstrapAuthToken: string | null;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/**
 * Reads the whole configuration from the environment and fails listing every bad key at once,
 * so an operator fixes them in one go rather than one restart per mistake.
 */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = env[key];
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} must be an integer between ${min} and ${max} (got ${JSON.stringify(raw)})`);
      return def;
    }
    return n;
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
  try {
    codeKeys = env.CODE_KEYS ? parseCodeKeys(env.CODE_KEYS) : databaseUrl ? [] : [localKey(dirname(sqlitePath))];
    if (codeKeys.length === 0) {
      problems.push('CODE_KEYS is required with DATABASE_URL: every node must hash codes with the same key (e.g. CODE_KEYS=k1:$(openssl rand -hex 32))');
    }
  } catch (err) {
    problems.push(`CODE_KEYS: ${(err as Error).message}`);
  }

  const accountSid = env.TWILIO_ACCOUNT_SID || null;
  const authToken = env.TWILIO_AUTH_TOKEN || null;
  if (accountSid && !/^AC[0-9a-fA-F]{32}$/.test(accountSid)) problems.push('TWILIO_ACCOUNT_SID must be AC followed by 32 hex characters');
  if ((accountSid === null) !== (authToken === null)) problems.push('TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together');

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
    logLevel: env.LOG_LEVEL || 'info',
    bootstrapAccountSid: accountSid,
    bootstrapAuthToken: authToken,
  };
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
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  return { id: 'local', secret: Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8') };
}
