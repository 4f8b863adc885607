import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseCodeKeys, type CodeKey } from '../domain/code/keys.js';
import { BlockedNetworks, DEFAULT_BLOCKED_NETWORKS, STRICT_BLOCKED_NETWORKS } from '../domain/events/networks.js';
import { NO_PRICES } from '../domain/prices.js';
import { NO_FILE, type ProvidersConfig } from '../channels/providers.js';
import type { Config, Mode } from './config.js';
import { readConfigFile } from './file.js';
import { DEFAULT_LOOKUP, type LookupSettings } from '../lookup/settings.js';
import { readPriceTable } from './prices.js';

/**
 * The one place that knows every environment variable, its default and its limits (README's
 * Configuration table is tested against ENV). A bad value is reported and replaced by the default
 * (`continue: true`), so the rules across variables still run and every problem is listed at once.
 */

type Ctx = z.RefinementCtx;

/** `key` (the issue's path) is put before `message` when the problems are listed. */
function problem(ctx: Ctx, message: string, params?: { detail: true }): void {
  ctx.addIssue({ code: 'custom', message, continue: true, params });
}

/** An error from another module's parser, listed as `KEY: its message`. */
function detail(ctx: Ctx, err: unknown): void {
  problem(ctx, (err as Error).message, { detail: true });
}

/** A variable's value; unset and empty are the same. */
const value = () => z.string().optional().transform((v) => (v === '' ? undefined : v));

/** A variable with a default; `read` turns the text into the value, reporting what is wrong. */
function withDefault<T>(def: string, read: (v: string, ctx: Ctx) => T) {
  return value()
    .transform((v, ctx) => read(v ?? def, ctx))
    .meta({ default: def });
}

const text = (def: string) => withDefault(def, (v) => v);

function int(def: number, min: number, max: number) {
  return withDefault(String(def), (raw, ctx) => {
    // Decimal digits only: Number() alone would also take "0x50", "1e3" or " 80 ".
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    problem(ctx, `must be an integer between ${min} and ${max} (got ${JSON.stringify(raw)})`);
    return def;
  });
}

const onOff = (def: 'on' | 'off') =>
  withDefault(def, (v, ctx) => {
    if (v !== 'on' && v !== 'off') problem(ctx, `must be on or off (got ${JSON.stringify(v)})`);
    return v === 'on';
  });

/** `yes` or `no`, or null when unset: the mode decides (see byMode). */
const flag = (yes: string, no: string) =>
  value().transform((v, ctx) => {
    if (v === undefined) return null;
    if (v !== yes && v !== no) problem(ctx, `must be ${yes} or ${no} (got ${JSON.stringify(v)})`);
    return v === yes;
  });

const httpUrl = () =>
  value().transform((v, ctx) => {
    if (v !== undefined && !(/^https?:\/\//.test(v) && URL.canParse(v))) problem(ctx, 'must be an http:// or https:// URL');
    return v ?? null;
  });

/** The providers file (providers, routes and the carrier lookup); `env` is what its `${NAME}` references are read from. */
const providersFile = (env: Readonly<Record<string, string | undefined>>) =>
  value().transform((path, ctx): { providers: ProvidersConfig; lookup: LookupSettings } => {
    if (path === undefined) return { providers: NO_FILE, lookup: DEFAULT_LOOKUP };
    const read = readConfigFile(path, env);
    for (const p of read.problems) problem(ctx, p, { detail: true });
    return { providers: read.config, lookup: read.lookup };
  });

/** `id:secret[,…]` keys, null when unset; a bad value is [] (given, but no usable key), so it is not also "required". */
const keyList = (name: string) =>
  value().transform((v, ctx): CodeKey[] | null => {
    if (v === undefined) return null;
    try {
      return parseCodeKeys(v, name);
    } catch (err) {
      detail(ctx, err);
      return [];
    }
  });

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const ENV = z.object({
  // Only this variable chooses the mode; NODE_ENV plays no part.
  VERIFYD_ENV: withDefault('development', (v, ctx): Mode => {
    if (v !== 'development' && v !== 'production') problem(ctx, `must be development or production (got ${JSON.stringify(v)})`);
    return v === 'production' ? 'production' : 'development';
  }),
  INBOX_ENABLED: flag('true', 'false'),
  SNA_SIMULATOR: flag('true', 'false'),
  BOOTSTRAP_CREDENTIALS_FILE: text('./verifyd-credentials'),
  HOST: text('127.0.0.1'),
  PORT: int(4000, 0, 65535),
  // Derived from HOST and PORT when unset (see publicBaseUrl below).
  PUBLIC_BASE_URL: value().meta({ default: 'http://HOST:PORT' }),
  DATABASE_URL: value().transform((v, ctx) => {
    if (v !== undefined && !/^postgres(ql)?:\/\//.test(v)) problem(ctx, 'must start with postgres:// or postgresql://');
    return v ?? null;
  }),
  SQLITE_PATH: text('./data/verifyd.db'),
  DB_POOL_SIZE: int(10, 1, 200),
  // null when unset; a bad value is [] (given, but no usable key), so it is not also "required".
  CODE_KEYS: keyList('CODE_KEYS'),
  // Auth tokens are sealed under these (the first seals, all open); the same shape as CODE_KEYS.
  TOKEN_KEYS: keyList('TOKEN_KEYS'),
  // How long a credential that verified is trusted without a look at the store: the safety net
  // for a revocation whose announcement was missed (PostgreSQL nodes are told at once).
  CREDENTIAL_CACHE_MS: int(5000, 0, 300_000),
  TWILIO_ACCOUNT_SID: value().transform((v, ctx) => {
    if (v !== undefined && !/^AC[0-9a-fA-F]{32}$/.test(v)) problem(ctx, 'must be AC followed by 32 hex characters');
    return v ?? null;
  }),
  TWILIO_AUTH_TOKEN: value().transform((v) => v ?? null),
  VERIFICATION_TTL_SECONDS: int(600, 60, 86_400),
  EXPIRY_SWEEP_SECONDS: int(5, 1, 3600),
  BODY_LIMIT_BYTES: int(65_536, 1024, 10 * 1024 * 1024),
  // Unset: no browser page may call the API (a request with any Origin is refused).
  CORS_ALLOWED_ORIGINS: value().transform((v, ctx) => {
    const origins = (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bare = (o: string) => /^https?:\/\/[^/?#@\s]+$/i.test(o) && URL.canParse(o);
    for (const o of origins.filter((o) => !bare(o))) {
      problem(ctx, `must be comma-separated origins like https://console.example.com, without path (got ${JSON.stringify(o)})`);
    }
    // As browsers write an Origin: lower-case host, no default port.
    return origins.filter(bare).map((o) => new URL(o).origin);
  }),
  // Checked here: pino would otherwise throw "unknown level" from buildApp, after the store opened.
  LOG_LEVEL: withDefault('info', (v, ctx) => {
    if (!LOG_LEVELS.includes(v)) problem(ctx, `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(v)})`);
    return v;
  }),
  ATTEMPTS_RATE_LIMIT_PER_MINUTE: int(100, 1, 1_000_000),
  // Per-account caps (docs/security.md, "Tenancy caps"): generous, so only runaway creation meets them.
  ACCOUNT_MAX_SERVICES: int(1000, 1, 1_000_000),
  // Twilio's own: "Cannot have more than 100 sinks" (error 91003).
  ACCOUNT_MAX_SINKS: int(100, 1, 1_000_000),
  ACCOUNT_MAX_SUBSCRIPTIONS: int(1000, 1, 1_000_000),
  ATTEMPT_RETENTION_DAYS: int(30, 1, 3650),
  EVENTS_DISPATCHER: onOff('on'),
  EVENTS_POLL_MS: int(1000, 10, 60_000),
  EVENTS_LINGER_MS: int(10, 0, 1000),
  EVENTS_SINK_CONCURRENCY: int(64, 1, 1000),
  // A quarter of the dispatcher's 1000 slots: one account's hanging sinks leave the rest to others.
  EVENTS_ACCOUNT_IN_FLIGHT: int(250, 1, 100_000),
  // Renewed every fifth of it while the dispatcher lives; at 10 s a 5-second send always fits (docs/events.md).
  EVENTS_LEASE_SECONDS: int(10, 5, 3600),
  EVENTS_RETRY_BASE_MS: int(1000, 10, 600_000),
  EVENTS_RETRY_WINDOW_SECONDS: int(4 * 3600, 1, 7 * 86_400),
  EVENTS_WEBHOOK_BLOCKED_NETWORKS: value().transform((spec, ctx) => {
    if (spec === undefined) return null;
    try {
      return new BlockedNetworks(spec);
    } catch (err) {
      problem(ctx, (err as Error).message);
      return null;
    }
  }),
  // Off: this process only queues codes for non-inbox providers; `npm run dispatcher` must send them.
  SEND_DISPATCHER: onOff('on'),
  SEND_TIMEOUT_MS: int(10_000, 100, 60_000),
  SEND_RETRY_BASE_MS: int(1000, 10, 600_000),
  SEND_MAX_ATTEMPTS: int(5, 1, 50),
  KINESIS_ENDPOINT: httpUrl(),
  KINESIS_REGION: value().transform((v) => v ?? null),
  KINESIS_ASSUME_ROLE: flag('on', 'off'),
  KINESIS_STS_ENDPOINT: httpUrl(),
  PRICE_TABLE: value().transform((v, ctx) => {
    if (v === undefined) return NO_PRICES;
    try {
      return readPriceTable(v);
    } catch (err) {
      detail(ctx, err);
      return NO_PRICES;
    }
  }),
  // configSchema gives it the environment being read (the `${NAME}` references); this one is the shape alone.
  VERIFYD_CONFIG: providersFile({}),
});

type Env = z.output<typeof ENV>;

/**
 * What an unset variable means in each mode. Development keeps the laptop conveniences on;
 * production turns off what hands codes to whoever asks and blocks tenants' webhooks from the
 * operator's own networks (docs/security.md). A value that is set always wins.
 */
function byMode(env: Env) {
  const production = env.VERIFYD_ENV === 'production';
  return {
    inboxEnabled: env.INBOX_ENABLED ?? !production,
    snaSimulator: env.SNA_SIMULATOR ?? !production,
    kinesisAssumeRole: env.KINESIS_ASSUME_ROLE ?? production,
    webhookBlockedNetworks: env.EVENTS_WEBHOOK_BLOCKED_NETWORKS ?? new BlockedNetworks(production ? STRICT_BLOCKED_NETWORKS : DEFAULT_BLOCKED_NETWORKS),
  };
}

/** PUBLIC_BASE_URL, or one derived from HOST and PORT; undefined when it is not a URL. */
function publicBaseUrl(env: Env): string | undefined {
  const url = env.PUBLIC_BASE_URL ?? `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}`;
  return URL.canParse(url) ? new URL(url).toString().replace(/\/$/, '') : undefined;
}

export interface SchemaOptions {
  /** false for processes that never hash or check a code: CODE_KEYS is then not required. */
  needsCodeKeys: boolean;
  /** The whole environment, which VERIFYD_CONFIG's `${NAME}` references name. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Rules across variables; each issue's message is the whole line. */
function acrossVariables(env: Env, ctx: Ctx, opts: SchemaOptions): void {
  if (publicBaseUrl(env) === undefined) ctx.addIssue({ code: 'custom', message: `PUBLIC_BASE_URL is not a URL (got ${JSON.stringify(env.PUBLIC_BASE_URL)})` });
  if (opts.needsCodeKeys && env.CODE_KEYS === null && env.DATABASE_URL !== null) {
    ctx.addIssue({
      code: 'custom',
      message: 'CODE_KEYS is required with DATABASE_URL: every node must hash codes with the same key (e.g. CODE_KEYS=k1:$(openssl rand -hex 32))',
    });
  }
  if (env.TOKEN_KEYS === null && env.DATABASE_URL !== null) {
    ctx.addIssue({
      code: 'custom',
      message: 'TOKEN_KEYS is required with DATABASE_URL: every node must open the stored auth tokens with the same key (e.g. TOKEN_KEYS=t1:$(openssl rand -hex 32))',
    });
  }
  if ((env.TWILIO_ACCOUNT_SID === null) !== (env.TWILIO_AUTH_TOKEN === null)) {
    ctx.addIssue({ code: 'custom', message: 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together' });
  }
  // Twilio's tokens are 32 hex characters; in production a chosen one must be as hard to guess.
  // The value is never quoted: it is a secret.
  if (env.VERIFYD_ENV === 'production' && env.TWILIO_AUTH_TOKEN !== null && !/^[0-9a-f]{32}$/i.test(env.TWILIO_AUTH_TOKEN)) {
    ctx.addIssue({ code: 'custom', message: 'TWILIO_AUTH_TOKEN must be 32 hexadecimal characters in production (e.g. $(openssl rand -hex 16))' });
  }
  if (env.KINESIS_STS_ENDPOINT !== null && !byMode(env).kinesisAssumeRole) {
    ctx.addIssue({ code: 'custom', message: 'KINESIS_STS_ENDPOINT is only used with KINESIS_ASSUME_ROLE=on' });
  }
}

/** Settings no variable changes: the dispatcher's sizes, the send timeouts and the backoff's cap. */
const DISPATCH = {
  batchSize: 100,
  maxInFlight: 1000,
  // Twilio: "The maximum timeout for a webhook Sink response is 5 seconds".
  webhookTimeoutMs: 5_000,
  kinesisTimeoutMs: 5_000,
  retryCapMs: 10 * 60_000,
};

/** The send queue's sizes and the backoff's cap. */
const SENDS = { batchSize: 50, maxInFlight: 500, retryCapMs: 60_000 };

function toConfig(env: Env): Config {
  const sqlitePath = resolve(env.SQLITE_PATH);
  const modal = byMode(env);
  return {
    mode: env.VERIFYD_ENV,
    inboxEnabled: modal.inboxEnabled,
    snaSimulator: modal.snaSimulator,
    bootstrapCredentialsFile: resolve(env.BOOTSTRAP_CREDENTIALS_FILE),
    host: env.HOST,
    port: env.PORT,
    publicBaseUrl: publicBaseUrl(env)!,
    databaseUrl: env.DATABASE_URL,
    sqlitePath,
    dbPoolSize: env.DB_POOL_SIZE,
    codeKeys: env.CODE_KEYS ?? [],
    // With the embedded store and no CODE_KEYS (TOKEN_KEYS), a key is kept beside the database (ensureLocalKeys).
    codeKeyFile: env.CODE_KEYS === null && env.DATABASE_URL === null ? resolve(dirname(sqlitePath), 'code-key') : null,
    tokenKeys: env.TOKEN_KEYS ?? [],
    tokenKeyFile: env.TOKEN_KEYS === null && env.DATABASE_URL === null ? resolve(dirname(sqlitePath), 'token-key') : null,
    credentialCacheMs: env.CREDENTIAL_CACHE_MS,
    verificationTtlMs: env.VERIFICATION_TTL_SECONDS * 1000,
    expirySweepMs: env.EXPIRY_SWEEP_SECONDS * 1000,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    corsAllowedOrigins: env.CORS_ALLOWED_ORIGINS,
    logLevel: env.LOG_LEVEL,
    attemptsRatePerMinute: env.ATTEMPTS_RATE_LIMIT_PER_MINUTE,
    quotas: { services: env.ACCOUNT_MAX_SERVICES, sinks: env.ACCOUNT_MAX_SINKS, subscriptions: env.ACCOUNT_MAX_SUBSCRIPTIONS },
    attemptRetentionMs: env.ATTEMPT_RETENTION_DAYS * 86_400_000,
    prices: env.PRICE_TABLE,
    bootstrapAccountSid: env.TWILIO_ACCOUNT_SID,
    bootstrapAuthToken: env.TWILIO_AUTH_TOKEN,
    providers: env.VERIFYD_CONFIG.providers,
    lookup: env.VERIFYD_CONFIG.lookup,
    sends: {
      dispatcher: env.SEND_DISPATCHER,
      timeoutMs: env.SEND_TIMEOUT_MS,
      retryBaseMs: env.SEND_RETRY_BASE_MS,
      maxAttempts: env.SEND_MAX_ATTEMPTS,
      ...SENDS,
    },
    events: {
      dispatcher: env.EVENTS_DISPATCHER,
      pollMs: env.EVENTS_POLL_MS,
      lingerMs: env.EVENTS_LINGER_MS,
      sinkConcurrency: env.EVENTS_SINK_CONCURRENCY,
      accountInFlight: env.EVENTS_ACCOUNT_IN_FLIGHT,
      leaseMs: env.EVENTS_LEASE_SECONDS * 1000,
      leaseRenewMs: env.EVENTS_LEASE_SECONDS * 200,
      retryBaseMs: env.EVENTS_RETRY_BASE_MS,
      retryWindowMs: env.EVENTS_RETRY_WINDOW_SECONDS * 1000,
      ...DISPATCH,
      kinesisEndpoint: env.KINESIS_ENDPOINT,
      kinesisRegion: env.KINESIS_REGION,
      kinesisAssumeRole: modal.kinesisAssumeRole,
      kinesisStsEndpoint: env.KINESIS_STS_ENDPOINT,
      webhookBlockedNetworks: modal.webhookBlockedNetworks,
    },
  };
}

/** The environment in, the Config out (or every problem as issues). */
export function configSchema(opts: SchemaOptions) {
  return ENV.extend({ VERIFYD_CONFIG: providersFile(opts.env) })
    .superRefine((env, ctx) => acrossVariables(env, ctx, opts))
    .transform(toConfig);
}
