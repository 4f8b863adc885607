/**
 * The domain's ports, one per aggregate (ports/*.ts, events/ports.ts): each consumer takes only
 * the ones it uses. This file gathers them for imports; the storage adapters live in src/storage/.
 */
export type { Cursor, PageQuery } from './ports/paging.js';
export { MissingParent, QuotaReached, UniqueViolation } from './ports/violations.js';
export { StoreUnavailable } from './ports/unavailable.js';
export type { AccountStore } from './ports/accounts.js';
export type { ServiceStore } from './ports/services.js';
export type { TemplateFilter, TemplateStore } from './ports/templates.js';
export type { BucketCount, InsertOutcome, MeteredValue, RateLimit, RateLimitBucket, RateLimitScope, RateLimitStore, RateLimitTx } from './ports/rate-limits.js';
export type { MessagingConfiguration, MessagingConfigurationStore } from './ports/messaging-configurations.js';
export type { VerificationStore, VerificationTx } from './ports/verifications.js';
export type { AttemptFilter, AttemptStore, AttemptTotals, SentBy, SummaryFilter } from './ports/attempts.js';
export type { ApiThrottleStore } from './ports/api-throttle.js';
export type { SnaStore } from './ports/sna.js';
export type { CarrierInfo, LineType, LookupProvider, LookupTarget } from './ports/lookup.js';
export type { AdmissionStore, GeoPermissionStore, PumpingStore, PumpingTx, SafeListStore } from './ports/protection.js';
export type { InboxFilter, InboxStore } from './ports/inbox.js';
export type { AttemptUpdate, ClaimedSendJob, SendJob, SendJobState, SendJobStatus, SendJobStore, SendSettlement } from './ports/send-jobs.js';
export type { OutboxStore, OutboxTx, Settlement, SinkStore } from './events/ports.js';
