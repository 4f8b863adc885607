import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings, CompiledQuery } from 'kysely';
import { StoreUnavailable } from '../domain/ports/unavailable.js';

/** SQLSTATEs that mean the session is gone or was refused, not that the statement was wrong. */
const LOST_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const LOST_SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
/** What pg says when the socket closed under a query, or a client that lost it is used again. */
const LOST_MESSAGES = /^Connection terminated|is not queryable|^timeout exceeded when trying to connect/;

/**
 * Whether a driver error means the connection to PostgreSQL was lost: connection exceptions
 * (SQLSTATE class 08), the server shutting the session down (57P01 admin shutdown, which is what
 * pg_terminate_backend and a failover send; 57P02, 57P03), too many connections, and the socket
 * errors and messages of node-postgres.
 */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return code.startsWith('08') || LOST_SQLSTATES.has(code) || LOST_SOCKET_CODES.has(code) || (typeof e?.message === 'string' && LOST_MESSAGES.test(e.message));
}

/** Runs `op`, turning a lost connection (or, when `anyFailure`, any failure) into StoreUnavailable. */
async function guard<T>(op: () => Promise<T>, anyFailure = false): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof StoreUnavailable || !(anyFailure || isConnectionLoss(err))) throw err;
    throw new StoreUnavailable(err);
  }
}

class GuardedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}
  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return guard(() => this.inner.executeQuery<R>(q));
  }
  streamQuery<R>(q: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(q, chunkSize);
  }
}

const innerOf = (c: DatabaseConnection): DatabaseConnection => (c as GuardedConnection).inner;

/**
 * The driver with every failure to reach the database reported as the domain's StoreUnavailable,
 * in one place rather than in each store. Any failure to get a connection counts (refused, timed
 * out, the database not accepting connections, the pool closing); after that only the errors
 * isConnectionLoss names do, so a constraint violation stays what it is.
 */
class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}
  init(): Promise<void> {
    return this.inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    return new GuardedConnection(await guard(() => this.inner.acquireConnection(), true));
  }
  beginTransaction(c: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return guard(() => this.inner.beginTransaction(innerOf(c), settings));
  }
  commitTransaction(c: DatabaseConnection): Promise<void> {
    return guard(() => this.inner.commitTransaction(innerOf(c)));
  }
  rollbackTransaction(c: DatabaseConnection): Promise<void> {
    return guard(() => this.inner.rollbackTransaction(innerOf(c)));
  }
  releaseConnection(c: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(innerOf(c));
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `dialect` whose driver reports lost connections as StoreUnavailable. */
export function guardConnections(dialect: Dialect): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}
