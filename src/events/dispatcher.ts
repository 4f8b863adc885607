import type { Clock } from '../domain/clock.js';
import type { Settlement } from '../domain/events/ports.js';
import { retryAt, type RetryPolicy } from '../domain/events/retry.js';
import type { ClaimedDelivery, DeliveryOutcome, Sink, SinkType } from '../domain/events/types.js';
import type { OutboxStore } from '../domain/ports.js';
import type { SinkSender, SinkSenders } from './senders/sender.js';
import type { Log } from '../log.js';

export interface DispatcherOptions {
  /** Deliveries claimed per round. */
  batchSize: number;
  /** Deliveries being sent at once; claiming pauses at this many. */
  maxInFlight: number;
  /** Requests (or PutRecords calls) open at once per sink; the rest of a sink's claims wait their turn. */
  perSinkConcurrency: number;
  /** How often the outbox is polled when nothing woke the dispatcher (other nodes' events). */
  pollMs: number;
  /**
   * A claim lasts this long unless renewed. The dispatcher renews the claims it holds every
   * `renewMs`, so only a dead (or cut-off) dispatcher's claims lapse, and they lapse soon.
   */
  leaseMs: number;
  /** How often held claims are renewed (a fifth of the lease in the composition). */
  renewMs: number;
  webhookTimeoutMs: number;
  /** Bounds a PutRecords call (webhookTimeoutMs bounds a webhook request). */
  kinesisTimeoutMs: number;
  retry: RetryPolicy;
  /**
   * After a wake-up, how long to let further commits gather before claiming: one claim (a write
   * transaction) then takes many events, and batch_events sinks get batches under load. Adds at
   * most this much lag.
   */
  lingerMs: number;
}

/** Room left at the end of a lease for recording the outcome, and for clocks a little apart. */
const LEASE_MARGIN_MS = 2_000;

/** One sink's requests: how many are open, and those waiting for a free slot. */
interface Lane {
  open: number;
  queue: ClaimedDelivery[][];
  /** Deliveries waiting in `queue`. */
  queued: number;
}

/**
 * Delivers the outbox: claims due deliveries, sends them (webhook requests, Kinesis PutRecords),
 * and records each attempt with its outcome; failures are retried with backoff until the retry
 * window closes. Claims are leases, so several dispatchers share one database without sending
 * an event twice at once, and a crashed dispatcher's claims are picked up when they lapse.
 * Delivery is at least once: an event acknowledged by a receiver whose acknowledgement was not
 * recorded (a crash in between) is sent again, with the same event id.
 */
export class Dispatcher {
  private inFlight = 0;
  private stopped = true;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly running = new Set<Promise<void>>();
  private readonly lanes = new Map<string, Lane>();
  private settling: Array<{ items: Settlement[]; resolve: () => void; reject: (err: unknown) => void }> = [];
  private flushing = false;
  private watch: Promise<{ close(): Promise<void> } | undefined> = Promise.resolve(undefined);
  /** Claimed deliveries not yet settled or released (queued or being sent): what the heartbeat renews. */
  private readonly held = new Set<ClaimedDelivery>();
  private beating = false;
  private beat: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: OutboxStore,
    private readonly clock: Clock,
    private readonly senders: SinkSenders,
    private readonly log: Pick<Log, 'error' | 'warn'>,
    private readonly opts: DispatcherOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Other nodes' commits wake this dispatcher too where the database can say so (PostgreSQL).
    this.watch = (this.store.watchOutbox?.(() => this.wake()) ?? Promise.resolve(undefined)).catch((err) => {
      this.log.warn({ err }, 'listening for outbox commits failed; polling only');
      return undefined;
    });
    this.loopDone = this.loop();
    this.beating = true;
    this.scheduleRenewal();
  }

  /** Something was committed to the outbox: look now instead of at the next poll. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** Stops claiming, gives queued claims back, and waits for the sends under way to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await (await this.watch)?.close();
    await this.loopDone;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    // The heartbeat lasts as long as the sends it covers.
    this.beating = false;
    clearTimeout(this.beat);
    await this.renewing;
  }

  private scheduleRenewal(): void {
    this.beat = setTimeout(() => {
      this.renewing = this.renew().finally(() => {
        if (this.beating) this.scheduleRenewal();
      });
    }, this.opts.renewMs);
  }

  /**
   * The heartbeat: one statement moves the lease of every claim this dispatcher holds a lease
   * further. If it fails (the database is unreachable) the claims keep the leases they have; every
   * send was bounded by its lease when it started (see send), so none is still under way when a
   * lease lapses and another dispatcher may take the delivery over. A delivery that was taken over
   * is not renewed (its claim token changed), and its later outcome cannot settle it.
   */
  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const held = [...this.held];
    const now = this.clock.now().getTime();
    const until = now + this.opts.leaseMs;
    let renewed: Set<number>;
    try {
      renewed = new Set(await this.store.renewLeases(held, now, until));
    } catch (err) {
      this.log.warn({ err }, 'renewing event delivery leases failed');
      return;
    }
    let lost = 0;
    for (const d of held) {
      if (renewed.has(d.id)) d.leaseUntil = until;
      else if (this.held.has(d)) lost++;
    }
    if (lost > 0) this.log.warn({ lost }, 'event delivery leases lost (taken over after they lapsed)');
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const room = Math.min(this.opts.batchSize, this.opts.maxInFlight - this.inFlight);
      let claimed: ClaimedDelivery[] = [];
      if (room > 0) {
        try {
          const now = this.clock.now().getTime();
          claimed = await this.store.claimDeliveries(now, now + this.opts.leaseMs, room, this.backedUp());
        } catch (err) {
          this.log.error({ err }, 'claiming event deliveries failed');
        }
      }
      if (claimed.length > 0) this.launch(claimed);
      // A full batch suggests more is due; otherwise wait for a commit, a finished send or the poll.
      if (claimed.length === 0 || claimed.length < room) {
        await this.sleep(this.opts.pollMs);
        if (this.opts.lingerMs > 0 && !this.stopped) await new Promise((r) => setTimeout(r, this.opts.lingerMs));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopped) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        self.woken = false;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private launch(claimed: ClaimedDelivery[]): void {
    this.inFlight += claimed.length;
    for (const d of claimed) this.held.add(d);
    const bySink = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) bySink.set(d.sink.sid, [...(bySink.get(d.sink.sid) ?? []), d]);
    for (const [sinkSid, group] of bySink) {
      let lane = this.lanes.get(sinkSid);
      if (!lane) this.lanes.set(sinkSid, (lane = { open: 0, queue: [], queued: 0 }));
      lane.queue.push(...this.requests(group));
      lane.queued += group.length;
      this.drain(sinkSid, lane);
    }
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
    while ((lane.open < this.opts.perSinkConcurrency || this.stopped) && lane.queue.length > 0) {
      const chunk = lane.queue.shift()!;
      lane.queued -= chunk.length;
      lane.open += 1;
      const p = (this.stopped ? this.release(chunk) : this.send(chunk))
        .catch((err) => this.log.error({ err, sinkSid }, 'recording event deliveries failed'))
        .finally(() => {
          lane.open -= 1;
          this.inFlight -= chunk.length;
          for (const d of chunk) this.held.delete(d);
          this.running.delete(p);
          if (lane.open === 0 && lane.queue.length === 0) this.lanes.delete(sinkSid);
          else this.drain(sinkSid, lane);
          this.wake();
        });
      this.running.add(p);
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
    const budget = Math.min(...chunk.map((d) => d.leaseUntil)) - attemptedAt - LEASE_MARGIN_MS;
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
    await this.settle(items);
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

  /**
   * Settlements of requests that finish while another settlement is being written go into the next
   * write together: one transaction for many outcomes instead of one each (group commit).
   */
  private settle(items: Settlement[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settling.push({ items, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.settling.length > 0) {
      const batch = this.settling.splice(0, this.settling.length);
      try {
        await this.store.settleDeliveries(batch.flatMap((b) => b.items));
        for (const b of batch) b.resolve();
      } catch {
        // One bad settlement must not take the others down with it: each on its own, then.
        for (const b of batch) await this.store.settleDeliveries(b.items).then(b.resolve, b.reject);
      }
    }
    this.flushing = false;
  }
}
