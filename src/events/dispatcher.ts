import type { Clock } from '../domain/clock.js';
import type { Settlement } from '../domain/events/ports.js';
import { retryAt, type RetryPolicy } from '../domain/events/retry.js';
import type { ClaimedDelivery, DeliveryOutcome, Sink, SinkType } from '../domain/events/types.js';
import type { OutboxStore } from '../domain/ports.js';
import type { SinkSender, SinkSenders } from './senders/sender.js';
import type { Log } from '../log.js';
import { ClaimLoop, LoopDriven, type ClaimLoopOptions } from '../dispatch/claim-loop.js';
import { GroupCommit } from '../dispatch/group-commit.js';

/** The claim loop's settings (batch, in-flight bound, poll, linger, lease and its renewal), and the sending's. */
export interface DispatcherOptions extends ClaimLoopOptions {
  /** Requests (or PutRecords calls) open at once per sink; the rest of a sink's claims wait their turn. */
  perSinkConcurrency: number;
  /**
   * Deliveries one account may hold in flight at once (claimed, queued or being sent): a tenant
   * whose sinks hang fills this many slots, not maxInFlight, and the claim passes over its
   * deliveries until some finish, so other accounts' due deliveries are still claimed.
   */
  perAccountInFlight: number;
  webhookTimeoutMs: number;
  /** Bounds a PutRecords call (webhookTimeoutMs bounds a webhook request). */
  kinesisTimeoutMs: number;
  retry: RetryPolicy;
}

/** One sink's requests: how many are open, and those waiting for a free slot. */
interface Lane {
  open: number;
  queue: Array<{ chunk: ClaimedDelivery[]; done: () => void }>;
  /** Deliveries waiting in `queue`. */
  queued: number;
}

/**
 * Delivers the outbox: claims due deliveries, sends them (webhook requests, Kinesis PutRecords),
 * and records each attempt with its outcome; failures are retried with backoff until the retry
 * window closes. Claims are leases (src/dispatch/claim-loop.ts), so several dispatchers share one
 * database without sending an event twice at once, and a crashed dispatcher's claims are picked
 * up when they lapse. Delivery is at least once: an event acknowledged by a receiver whose
 * acknowledgement was not recorded (a crash in between) is sent again, with the same event id.
 */
export class Dispatcher extends LoopDriven<ClaimedDelivery, number> {
  private readonly lanes = new Map<string, Lane>();
  /** Deliveries each account holds in flight (claimed and not yet settled or released). */
  private readonly held = new Map<string, number>();
  // Settlements of requests that finish while another is being written are written together.
  private readonly settling = new GroupCommit<Settlement, void>(async (items) => {
    await this.store.settleDeliveries(items);
    return items.map(() => undefined);
  });
  protected readonly loop: ClaimLoop<ClaimedDelivery, number>;

  constructor(
    private readonly store: OutboxStore,
    private readonly clock: Clock,
    private readonly senders: SinkSenders,
    private readonly log: Pick<Log, 'error' | 'warn'>,
    private readonly opts: DispatcherOptions,
  ) {
    super();
    const source = {
      claim: (now: number, leaseUntil: number, limit: number) =>
        store.claimDeliveries(now, leaseUntil, limit, { sinks: this.backedUp(), perAccount: opts.perAccountInFlight, held: this.held }),
      renewLeases: (held: ClaimedDelivery[], now: number, until: number) => store.renewLeases(held, now, until),
      // Other nodes' commits wake this dispatcher too where the database can say so (PostgreSQL).
      watch: (onCommit: () => void) => store.watchOutbox?.(onCommit) ?? Promise.resolve(undefined),
    };
    this.loop = new ClaimLoop(source, clock, log, opts, { one: 'event delivery', many: 'event deliveries' }, (claimed) => this.launch(claimed));
  }

  private launch(claimed: ClaimedDelivery[]): void {
    const bySink = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) bySink.set(d.sink.sid, [...(bySink.get(d.sink.sid) ?? []), d]);
    for (const [sinkSid, group] of bySink) {
      const lane = this.lanes.get(sinkSid) ?? { open: 0, queue: [], queued: 0 };
      this.lanes.set(sinkSid, lane);
      const account = group[0]!.sink.accountSid;
      for (const chunk of this.requests(group)) {
        // Held (and renewed) from now, while it waits for its turn too.
        this.hold(account, chunk.length);
        const finished = new Promise<void>((done) => lane.queue.push({ chunk, done })).finally(() => this.hold(account, -chunk.length));
        this.loop.track(chunk, finished);
      }
      lane.queued += group.length;
      this.drain(sinkSid, lane);
    }
  }

  /** Counts an account's deliveries in flight up (claimed) or down (settled or released). */
  private hold(account: string, count: number): void {
    const now = (this.held.get(account) ?? 0) + count;
    if (now > 0) this.held.set(account, now);
    else this.held.delete(account);
  }

  /**
   * Sinks with a claim's worth of deliveries already waiting: claiming more for them would only
   * age in their queue (a slow or hanging receiver), and would keep other sinks' deliveries from
   * being claimed at all once maxInFlight is reached.
   */
  private backedUp(): string[] {
    const out: string[] = [];
    for (const [sid, lane] of this.lanes) if (lane.queued >= this.opts.batchSize) out.push(sid);
    return out;
  }

  /** Starts a sink's queued requests while it has fewer than perSinkConcurrency open. */
  private drain(sinkSid: string, lane: Lane): void {
    const stopped = this.loop.isStopped;
    while ((lane.open < this.opts.perSinkConcurrency || stopped) && lane.queue.length > 0) {
      const { chunk, done } = lane.queue.shift()!;
      lane.queued -= chunk.length;
      lane.open += 1;
      void (stopped ? this.release(chunk) : this.send(chunk))
        .catch((err) => this.log.error({ err, sinkSid }, 'recording event deliveries failed'))
        .finally(() => {
          lane.open -= 1;
          if (lane.open === 0 && lane.queue.length === 0) this.lanes.delete(sinkSid);
          else this.drain(sinkSid, lane);
          done();
        });
    }
  }

  /** Unsent claims go back to the outbox, due at once (for this or another dispatcher). */
  private release(chunk: ClaimedDelivery[]): Promise<void> {
    return this.store.releaseDeliveries(chunk.map((d) => d.id), chunk[0]!.claim, this.clock.now().getTime());
  }

  /** How one sink's claimed deliveries split into requests. */
  private requests(group: ClaimedDelivery[]): ClaimedDelivery[][] {
    const sink = group[0]!.sink;
    const size = this.senderFor(sink).requestSize(sink);
    const out: ClaimedDelivery[][] = [];
    for (let i = 0; i < group.length; i += size) out.push(group.slice(i, i + size));
    return out;
  }

  private async send(chunk: ClaimedDelivery[]): Promise<void> {
    const sink = chunk[0]!.sink;
    const attemptedAt = this.clock.now().getTime();
    // Nothing is sent that could still be under way when the lease ends and another dispatcher may
    // claim it: the request is cut short at the lease as renewed so far (less a margin), or not
    // started at all. With renewals every fifth of the lease, at least 4/5 of it is always left.
    const budget = this.loop.budget(chunk, attemptedAt);
    const timeoutMs = this.timeouts()[sink.sinkType];
    if (budget < Math.min(timeoutMs, 1_000)) return this.release(chunk);
    let outcomes: DeliveryOutcome[];
    try {
      outcomes = await this.senderFor(sink).send(sink, chunk.map((d) => d.event), Math.min(timeoutMs, budget));
    } catch (err) {
      // A sender that throws (rather than reporting a failed outcome) still counts as a failed
      // attempt: the delivery is retried and given up like any other, not left to lapse forever.
      const error = `delivery failed inside verifyd: ${(err as Error)?.message ?? String(err)}`;
      outcomes = chunk.map(() => ({ ok: false, statusCode: null, error, latencyMs: 0 }));
    }
    const settledAt = this.clock.now().getTime();
    const items: Settlement[] = chunk.map((d, i) => {
      const outcome = outcomes[i]!;
      const retry = outcome.ok ? null : retryAt(d.attempts + 1, d.event.dateCreated, settledAt, this.opts.retry);
      if (!outcome.ok && retry === null) {
        this.log.warn({ sinkSid: sink.sid, eventId: d.event.id, attempts: d.attempts + 1, error: outcome.error }, 'event delivery given up');
      }
      return { delivery: d, attempt: { ...outcome, deliveryId: d.id, sinkSid: sink.sid, attemptedAt }, retryAt: retry };
    });
    await this.settling.add(items);
  }

  /** How long one request may take, per sink type. */
  private timeouts(): Record<SinkType, number> {
    return { webhook: this.opts.webhookTimeoutMs, kinesis: this.opts.kinesisTimeoutMs };
  }

  /**
   * The sender registered under the sink's type. A sink's configuration is always its type's (it is
   * read by type when the sink is created), which is what makes handing it to that sender right.
   */
  private senderFor(sink: Sink): SinkSender<SinkType> {
    return this.senders[sink.sinkType];
  }
}
