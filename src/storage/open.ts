import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { ensurePrivateFile, makePrivateDir } from '../private-files.js';
import { guardConnections } from './connection-loss.js';
import { POSTGRES, SQLITE } from './dialect.js';
import { TokenKeyring, type TokenKey } from '../domain/token-keys.js';
import { CREDENTIALS_CHANNEL } from './accounts.js';
import { listenForOutbox, listenOn } from './outbox-listener.js';
import { startCheckpointer } from './sqlite-checkpointer.js';
import type { Database } from './schema.js';
import { Stores } from './stores.js';

export interface StorageConfig {
  /** postgres://… selects PostgreSQL; otherwise the SQLite file at sqlitePath is used. */
  databaseUrl: string | null;
  sqlitePath: string;
  poolSize: number;
  /** TOKEN_KEYS: auth tokens are sealed under them; without them no token can be read or written. */
  tokenKeys?: readonly TokenKey[];
}

/** Opens the configured database and brings its schema up to date. */
export async function openStores(cfg: StorageConfig): Promise<Stores> {
  const stores = connectStores(cfg);
  try {
    await stores.migrate();
    // After migration 013, with the keys a migration cannot see: tokens still in plain text are sealed.
    if (cfg.tokenKeys) await stores.accounts.sealStoredTokens();
    await stores.optimize();
  } catch (err) {
    await stores.close();
    throw err;
  }
  return stores;
}

/** Opens the configured database as it is (the migration tests start from an older schema). */
export function connectStores(cfg: StorageConfig): Stores {
  const keys = cfg.tokenKeys ? new TokenKeyring(cfg.tokenKeys) : undefined;
  return cfg.databaseUrl ? openPostgres(cfg.databaseUrl, cfg.poolSize, keys) : openSqlite(cfg.sqlitePath, keys);
}

/**
 * How long a query waits for a connection: a free one from the pool, or a new one to a server that
 * does not answer. Past it the request is answered 503 rather than left hanging through an outage.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

function openPostgres(url: string, poolSize: number, keys: TokenKeyring | undefined): Stores {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  // A connection lost while idle in the pool: the pool drops it, and this listener keeps the
  // 'error' from being unhandled.
  pool.on('error', () => undefined);
  // A client checked out for a transaction has no pool listener (pg-pool removes its idle one at
  // checkout), so the 'error' it emits when the server terminates its session (57P01: a
  // failover, a restart, pg_terminate_backend) would be unhandled and end the process. Every
  // client gets one for life; the query under way fails with the error, the store reports
  // StoreUnavailable, and the pool discards the client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const stores = new Stores(new Kysely<Database>({ dialect: guardConnections(new PostgresDialect({ pool })) }), POSTGRES, undefined, keys);
  stores.outbox.watchOutbox = (onCommit) => listenForOutbox(url, onCommit);
  // Credential changes are announced on their own channel, with the account's sid.
  const changed = stores.accounts.credentialsChanged;
  stores.accounts.watchCredentials = () => listenOn(url, CREDENTIALS_CHANNEL, (sid) => changed.fire(sid));
  // Jobs are announced on the outbox's channel (send-jobs.ts): a send dispatcher listens there too.
  stores.sendJobs.watchSendJobs = (onCommit) => listenForOutbox(url, onCommit);
  return stores;
}

function openSqlite(path: string, keys: TokenKeyring | undefined): Stores {
  if (path !== ':memory:') {
    // The file is created 0600 before SQLite opens it: SQLite gives the WAL and SHM files it creates
    // later the database file's mode, so all three stay private whatever the umask.
    makePrivateDir(dirname(path));
    ensurePrivateFile(path);
  }
  const db = configureSqlite(new BetterSqlite3(path));
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(db) }) });
  if (path === ':memory:') return new Stores(kysely, SQLITE, undefined, keys);
  // Checkpoints happen in a worker (sqlite-checkpointer.ts); this threshold (~40 MB of WAL) only
  // matters if that worker is not keeping up.
  db.pragma('wal_autocheckpoint = 10000');
  const checkpointer = startCheckpointer(path);
  return new Stores(kysely, SQLITE, () => checkpointer.stop(), keys);
}

/** verifyd's connection settings for SQLite (the bench opens its connections with them too). */
export function configureSqlite(db: BetterSqlite3.Database): BetterSqlite3.Database {
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives process crashes; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  // An 8 MiB page cache (default 2 MiB) keeps the hot index pages in memory at a modest RSS cost.
  db.pragma('cache_size = -8192');
  db.pragma('temp_store = MEMORY');
  db.pragma('foreign_keys = ON');
  return db;
}

/**
 * Kysely prepares every query it runs; better-sqlite3 statements are reusable, so caching them by
 * SQL text removes a parse per query on the hot path. Queries differ only in parameters, so the
 * cache stays as small as the set of distinct queries.
 */
function cachedStatements(db: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') {
        return (text: string) => {
          // Transactions take the write lock up front. With a deferred BEGIN, a transaction that
          // reads and then writes fails at once with SQLITE_BUSY_SNAPSHOT (busy_timeout does not
          // apply) when another process (a standalone dispatcher) committed in between.
          const source = text === 'begin' ? 'begin immediate' : text;
          let stmt = cache.get(source);
          if (!stmt) {
            stmt = target.prepare(source);
            if (cache.size < 1000) cache.set(source, stmt);
          }
          return stmt;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
