import type { PageQuery } from '../ports/paging.js';
import type {
  ClaimedDelivery,
  DeliveryAttemptRecord,
  DeliveryStatus,
  OutboxEvent,
  Sink,
  SinkStatus,
  SubscribedEvent,
  Subscription,
} from './types.js';

export interface Settlement {
  delivery: Pick<ClaimedDelivery, 'id' | 'claim' | 'attempts'>;
  attempt: DeliveryAttemptRecord;
  retryAt: number | null;
}

/** What the outbox needs inside a verification's transaction. */
export interface OutboxTx {
  /** Sinks of the account with a subscription to `type`, each once. */
  subscribedSinks(accountSid: string, type: string): Promise<string[]>;
  /** Writes the event and one pending delivery per sink, due at once. */
  insertEvent(event: OutboxEvent, sinkSids: string[]): Promise<void>;
}

/** Sinks, their subscriptions and the event types each subscription names. */
export interface SinkStore {
  /** QuotaReached when the account already has `maxPerAccount` sinks (counted in the insert's transaction). */
  insertSink(s: Sink, maxPerAccount?: number): Promise<void>;
  getSink(accountSid: string, sid: string): Promise<Sink | undefined>;
  listSinks(accountSid: string, filter: { inUse?: boolean; status?: SinkStatus }, page: PageQuery): Promise<Sink[]>;
  updateSinkDescription(accountSid: string, sid: string, description: string, at: number): Promise<Sink | undefined>;
  /** Deletes the sink with its subscriptions and undelivered events for it. */
  deleteSink(accountSid: string, sid: string): Promise<boolean>;

  /** Stores the subscription with its types; MissingParent when the sink is gone, QuotaReached as insertSink. */
  insertSubscription(s: Subscription, types: SubscribedEvent[], maxPerAccount?: number): Promise<void>;
  getSubscription(accountSid: string, sid: string): Promise<Subscription | undefined>;
  listSubscriptions(accountSid: string, filter: { sinkSid?: string }, page: PageQuery): Promise<Subscription[]>;
  updateSubscriptionDescription(accountSid: string, sid: string, description: string, at: number): Promise<Subscription | undefined>;
  deleteSubscription(accountSid: string, sid: string): Promise<boolean>;

  /** Types of one subscription ordered by type; `after` is the last type of the previous page. */
  listSubscribedEvents(accountSid: string, subscriptionSid: string, page: { afterType?: string; offset: number; limit: number }): Promise<SubscribedEvent[]>;
  getSubscribedEvent(accountSid: string, subscriptionSid: string, type: string): Promise<SubscribedEvent | undefined>;
  /** Inserts or replaces; true when it was new. */
  putSubscribedEvent(e: SubscribedEvent): Promise<boolean>;
  deleteSubscribedEvent(accountSid: string, subscriptionSid: string, type: string): Promise<boolean>;
}

/** What a claim leaves alone: backed-up sinks, and accounts at their in-flight cap. */
export interface ClaimLeave {
  sinks?: string[];
  /** Deliveries one account may hold in flight at once (no cap when absent). */
  perAccount?: number;
  /** Deliveries each account holds in flight already (absent: none). */
  held?: ReadonlyMap<string, number>;
}

/** The outbox's delivery side: events written outside a verification, claims, settlements, retention. */
export interface OutboxStore {
  /** An event outside any verification (sink tests), with its deliveries. */
  enqueueEvent(event: OutboxEvent, sinkSids: string[]): Promise<void>;
  findTestEvent(accountSid: string, sinkSid: string, testId: string): Promise<OutboxEvent | undefined>;

  /**
   * Claims up to `limit` pending deliveries due by `now` (oldest first) and leases them until
   * `leaseUntil`: they are not due for anyone else until then. On PostgreSQL rows other dispatchers
   * are claiming are skipped (FOR UPDATE SKIP LOCKED). Deliveries to `leave.sinks` are left alone,
   * and no account gets more than `leave.perAccount` less what it already holds (`leave.held`).
   */
  claimDeliveries(now: number, leaseUntil: number, limit: number, leave?: ClaimLeave): Promise<ClaimedDelivery[]>;
  /**
   * Records each attempt and moves its delivery on: delivered when it succeeded, due again at
   * `retryAt` when it failed, failed for good when `retryAt` is null. A delivery whose claim is no
   * longer current (its lease lapsed and someone else claimed it) keeps its state; the attempt is
   * still recorded while the delivery exists.
   */
  settleDeliveries(items: Settlement[]): Promise<void>;
  /**
   * Moves the lease of each `held` delivery still under its claim (pending, not taken over) to
   * `leaseUntil`; returns the ids it renewed. The dispatcher's heartbeat: a live dispatcher keeps
   * its claims however long their sends wait, and a dead one's lapse one short lease later.
   */
  renewLeases(held: Array<Pick<ClaimedDelivery, 'id' | 'claim'>>, now: number, leaseUntil: number): Promise<number[]>;
  /** Returns claimed deliveries that were not sent, due at `now`; ignored where the claim changed. */
  releaseDeliveries(ids: number[], claim: string, now: number): Promise<void>;
  deliveryStatus(eventId: string): Promise<DeliveryStatus[]>;
  /**
   * Calls `onCommit` whenever any process commits events to the outbox (PostgreSQL LISTEN/NOTIFY),
   * so dispatchers on other nodes need not wait for their next poll. Absent where polling is all
   * there is (SQLite: one writer process, which wakes its own dispatcher).
   */
  watchOutbox?(onCommit: () => void): Promise<{ close(): Promise<void> }>;
  /** Deletes events created before `before` with no pending delivery left; returns how many. */
  purgeEvents(before: number, limit: number): Promise<number>;
}
