import type { Quotas } from '../domain/quotas.js';
import type { ProvidersConfig } from '../channels/providers.js';
import type { CodeKey } from '../domain/code/keys.js';
import type { BlockedNetworks } from '../domain/events/networks.js';
import type { PriceTable } from '../domain/prices.js';
import type { LookupSettings } from '../lookup/settings.js';
import { configSchema } from './schema.js';

/** VERIFYD_ENV: development (the default: inbox, SNA simulator, local webhooks) or production. */
export type Mode = 'development' | 'production';

/** Everything verifyd is configured with, read once at start (src/config/schema.ts reads it). */
export interface Config {
  mode: Mode;
  /** Whether the inbox provider carries codes and /inbox serves them (INBOX_ENABLED). */
  inboxEnabled: boolean;
  /** Whether the SNA carrier simulator (/sna) is the SNA provider (SNA_SIMULATOR). */
  snaSimulator: boolean;
  /** Where production writes the generated first-start credentials (0600), instead of stdout. */
  bootstrapCredentialsFile: string;
  host: string;
  port: number;
  publicBaseUrl: string;
  databaseUrl: string | null;
  sqlitePath: string;
  dbPoolSize: number;
  /** From CODE_KEYS; empty until ensureLocalKeys fills it from codeKeyFile. */
  codeKeys: CodeKey[];
  /** Where the generated key is kept when CODE_KEYS is unset with SQLite; null otherwise. */
  codeKeyFile: string | null;
  /** From TOKEN_KEYS (auth tokens are sealed under them); empty until ensureLocalKeys fills it from tokenKeyFile. */
  tokenKeys: CodeKey[];
  /** Where the generated token key is kept when TOKEN_KEYS is unset with SQLite; null otherwise. */
  tokenKeyFile: string | null;
  /** How long a verified credential is cached (CREDENTIAL_CACHE_MS); changes announced sooner drop it at once. */
  credentialCacheMs: number;
  verificationTtlMs: number;
  expirySweepMs: number;
  bodyLimitBytes: number;
  /** Browser origins allowed to call the API (CORS_ALLOWED_ORIGINS), normalised by URL; empty: none. */
  corsAllowedOrigins: string[];
  logLevel: string;
  attemptsRatePerMinute: number;
  /** Per-account caps on services, sinks and subscriptions (ACCOUNT_MAX_*). */
  quotas: Quotas;
  attemptRetentionMs: number;
  prices: PriceTable;
  bootstrapAccountSid: string | null;
  bootstrapAuthToken: string | null;
  /** The providers and routes VERIFYD_CONFIG names (none without it: every channel then goes to the inbox). */
  providers: ProvidersConfig;
  /** The carrier lookup VERIFYD_CONFIG's `lookup` names (the bundled data without one; docs/lookup.md). */
  lookup: LookupSettings;
  events: EventsConfig;
  sends: SendsConfig;
}

/** The send queue's dispatcher (its lease, renewal and poll are the events dispatcher's). */
export interface SendsConfig {
  /** Whether `npm start` sends queued codes (`npm run dispatcher` always does). */
  dispatcher: boolean;
  /** Bounds each provider request. */
  timeoutMs: number;
  retryBaseMs: number;
  retryCapMs: number;
  /** Tries per code before its attempt is recorded as failed (fewer when the code expires first). */
  maxAttempts: number;
  /** Jobs claimed per round. */
  batchSize: number;
  /** Codes being sent at once. */
  maxInFlight: number;
}

/** The event dispatcher and how it reaches sinks. */
export interface EventsConfig {
  /** Whether `npm start` runs a dispatcher (`npm run dispatcher` runs one on its own). */
  dispatcher: boolean;
  pollMs: number;
  lingerMs: number;
  sinkConcurrency: number;
  /** Deliveries one account may hold in flight per dispatcher (EVENTS_ACCOUNT_IN_FLIGHT). */
  accountInFlight: number;
  leaseMs: number;
  /** How often a dispatcher renews the leases it holds: a fifth of leaseMs. */
  leaseRenewMs: number;
  retryBaseMs: number;
  retryWindowMs: number;
  /** The backoff never waits longer than this between two tries. */
  retryCapMs: number;
  /** Deliveries claimed per round. */
  batchSize: number;
  /** Deliveries being sent at once. */
  maxInFlight: number;
  webhookTimeoutMs: number;
  /** Bounds each PutRecords call and each STS call made for it. */
  kinesisTimeoutMs: number;
  kinesisEndpoint: string | null;
  kinesisRegion: string | null;
  /** Whether Kinesis sinks are written as their role_arn (KINESIS_ASSUME_ROLE). */
  kinesisAssumeRole: boolean;
  kinesisStsEndpoint: string | null;
  /** Networks webhooks are never delivered to (EVENTS_WEBHOOK_BLOCKED_NETWORKS). */
  webhookBlockedNetworks: BlockedNetworks;
}

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Env = Record<string, string | undefined>;

export interface LoadOptions {
  /**
   * false for processes that never hash or check a code (the event dispatcher): CODE_KEYS is then
   * not required; one that is given is still checked.
   */
  needsCodeKeys?: boolean;
}

/**
 * Reads the whole configuration from the environment and fails listing every bad key at once,
 * so an operator fixes them in one go rather than one restart per mistake. Writes nothing: the
 * generated keys are ensureLocalKeys' job.
 */
export function loadConfig(env: Env = process.env, opts: LoadOptions = {}): Config {
  const parsed = configSchema({ needsCodeKeys: opts.needsCodeKeys ?? true, env }).safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const [key] = issue.path;
      if (key === undefined) return issue.message;
      const detail = issue.code === 'custom' && issue.params?.detail === true;
      return `${String(key)}${detail ? ':' : ''} ${issue.message}`;
    }),
  );
}
