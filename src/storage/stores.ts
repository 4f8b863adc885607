import { Migrator, sql, type Kysely } from 'kysely';
import type { TokenKeyring } from '../domain/token-keys.js';
import { SqlAccountStore } from './accounts.js';
import { SqlApiThrottleStore } from './api-throttle.js';
import { SqlAttemptStore } from './attempts.js';
import type { SqlDialect } from './dialect.js';
import { SqlInboxStore } from './inbox.js';
import { migrationProvider } from './migrations/index.js';
import { CommitSignal, SqlOutboxStore } from './outbox.js';
import { SqlGeoPermissionStore, SqlSafeListStore } from './protection.js';
import { SqlPumpingStore } from './pumping.js';
import { SqlAdmissionStore } from './admission.js';
import type { Database } from './schema.js';
import { SqlRateLimitStore } from './rate-limits.js';
import { SqlServiceStore } from './services.js';
import { SqlSendJobStore } from './send-jobs.js';
import { SqlSinkStore } from './sinks.js';
import { SqlSnaStore } from './sna.js';
import { SqlTemplateStore } from './templates.js';
import { SqlMessagingConfigurationStore } from './messaging-configurations.js';
import { SqlVerificationStore } from './verifications.js';

/**
 * One database, seen as one store per aggregate (the domain's ports). The composition hands each
 * consumer only the stores it uses; this object owns the connection they share.
 */
export class Stores {
  readonly accounts: SqlAccountStore;
  readonly services: SqlServiceStore;
  readonly templates: SqlTemplateStore;
  readonly rateLimits: SqlRateLimitStore;
  readonly messagingConfigurations: SqlMessagingConfigurationStore;
  readonly verifications: SqlVerificationStore;
  readonly attempts: SqlAttemptStore;
  readonly apiThrottle: SqlApiThrottleStore;
  readonly sna: SqlSnaStore;
  readonly inbox: SqlInboxStore;
  readonly sinks: SqlSinkStore;
  readonly outbox: SqlOutboxStore;
  readonly sendJobs: SqlSendJobStore;
  readonly safeList: SqlSafeListStore;
  readonly geoPermissions: SqlGeoPermissionStore;
  readonly pumping: SqlPumpingStore;
  readonly admission: SqlAdmissionStore;
  private readonly eventsCommitted = new CommitSignal();
  private readonly sendsCommitted = new CommitSignal();

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: SqlDialect,
    private readonly onClose: () => Promise<void> = async () => undefined,
    tokenKeys?: TokenKeyring,
  ) {
    this.accounts = new SqlAccountStore(db, dialect, tokenKeys);
    this.services = new SqlServiceStore(db, dialect);
    this.templates = new SqlTemplateStore(db);
    this.rateLimits = new SqlRateLimitStore(db, dialect);
    this.messagingConfigurations = new SqlMessagingConfigurationStore(db);
    this.verifications = new SqlVerificationStore(db, dialect, this.eventsCommitted, this.sendsCommitted);
    this.attempts = new SqlAttemptStore(db, dialect, this.sendsCommitted);
    this.apiThrottle = new SqlApiThrottleStore(db);
    this.sna = new SqlSnaStore(db);
    this.inbox = new SqlInboxStore(db);
    this.sinks = new SqlSinkStore(db, dialect);
    this.outbox = new SqlOutboxStore(db, dialect, this.eventsCommitted);
    this.sendJobs = new SqlSendJobStore(db, dialect);
    this.safeList = new SqlSafeListStore(db);
    this.geoPermissions = new SqlGeoPermissionStore(db);
    this.pumping = new SqlPumpingStore(db, dialect);
    this.admission = new SqlAdmissionStore(db, dialect);
  }

  /** Called after each commit that wrote events, so an in-process dispatcher can deliver at once. */
  onEventsCommitted(fn: () => void): void {
    this.eventsCommitted.listen(fn);
  }

  /** Called after each commit that queued a code, so an in-process send dispatcher sends it at once. */
  onSendsCommitted(fn: () => void): void {
    this.sendsCommitted.listen(fn);
  }

  /** Up to the latest migration, or up to and including `target` (a migration's name). */
  async migrate(target?: string): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: migrationProvider(this.dialect.name),
      migrationTableName: 'verifyd_migrations',
      migrationLockTableName: 'verifyd_migrations_lock',
      // Branches add migrations in parallel and each only adds tables or columns (migrations/index.ts),
      // so one that lands after a higher-numbered one must still run on a database that has that one.
      allowUnorderedMigrations: true,
    });
    const { error } = await (target === undefined ? migrator.migrateToLatest() : migrator.migrateTo(target));
    if (error) throw error;
  }

  /**
   * SQLite plans without statistics unless ANALYZE ran; `PRAGMA optimize` gathers them where they
   * are missing or stale (bounded by analysis_limit), so e.g. a VerificationSid filter picks
   * sends_by_verification instead of reading a whole account (453 ms -> 0.13 ms at 1M rows).
   */
  async optimize(): Promise<void> {
    if (this.dialect.name !== 'sqlite') return;
    await sql`PRAGMA analysis_limit = 1000`.execute(this.db);
    await sql`PRAGMA optimize`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
    await this.onClose();
  }
}
