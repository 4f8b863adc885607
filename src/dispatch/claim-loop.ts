import type { Clock } from '../domain/clock.js';
import type { Log } from '../log.js';

/** A row claimed with a lease: the token that settles it, and until when the lease holds. */
export interface Leased<Id> {
  id: Id;
  claim: string;
  leaseUntil: number;
}

export interface ClaimLoopOptions {
  /** Rows claimed per round. */
  batchSize: number;
  /** Rows being worked on at once; claiming pauses at this many. */
  maxInFlight: number;
  /** How often the table is polled when nothing woke the loop (other nodes' commits). */
  pollMs: number;
  /** After a wake-up, how long to let further commits gather before claiming (0: none). */
  lingerMs: number;
  /** A claim lasts this long unless renewed. */
  leaseMs: number;
  /** How often held claims are renewed (a fifth of the lease in the composition). */
  renewMs: number;
}

/** What a loop's table offers: claiming due rows, renewing held claims, and (PostgreSQL) news of commits. */
export interface ClaimSource<C extends Leased<Id>, Id> {
  claim(now: number, leaseUntil: number, limit: number): Promise<C[]>;
  /** Moves the lease of every row still under its claim to `leaseUntil`; the ids renewed. */
  renewLeases(held: C[], now: number, leaseUntil: number): Promise<Id[]>;
  /** Calls `onCommit` on other processes' commits where the database tells (PostgreSQL); undefined where not. */
  watch?(onCommit: () => void): Promise<{ close(): Promise<void> } | undefined>;
}

/** Room left at the end of a lease for recording the outcome, and for clocks a little apart. */
export const LEASE_MARGIN_MS = 2_000;

/**
 * The machinery the event dispatcher and the send dispatcher share: a loop that claims due rows
 * with a lease (woken by this process's commits, other processes' NOTIFY, or its poll), hands them
 * to `work`, and a heartbeat that renews the lease of every claim still held, so only a dead (or
 * cut-off) process's claims lapse, and they lapse within one lease. `work` returns when the claims
 * it was given are settled or released; until then they are held.
 */
export class ClaimLoop<C extends Leased<Id>, Id> {
  private inFlight = 0;
  private stopped = true;
  private loopDone: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private readonly running = new Set<Promise<void>>();
  private watch: Promise<{ close(): Promise<void> } | undefined> = Promise.resolve(undefined);
  private readonly held = new Set<C>();
  private beating = false;
  private beat: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: ClaimSource<C, Id>,
    private readonly clock: Clock,
    private readonly log: Pick<Log, 'error' | 'warn'>,
    private readonly opts: ClaimLoopOptions,
    /** What the rows are, for the log: one and many ("event delivery", "event deliveries"). */
    private readonly what: { one: string; many: string },
    /** Handles one round's claims; each settles (or releases) its rows. */
    private readonly work: (claimed: C[]) => void,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.watch = (this.source.watch?.(() => this.wake()) ?? Promise.resolve(undefined)).catch((err) => {
      this.log.warn({ err }, `listening for commits (${this.what.many}) failed; polling only`);
      return undefined;
    });
    this.loopDone = this.loop();
    this.beating = true;
    this.scheduleRenewal();
  }

  /** Something was committed: look now instead of at the next poll. */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** Counts `claims` as held until `done` settles; the loop claims again when they are finished. */
  track(claims: C[], done: Promise<void>): void {
    this.inFlight += claims.length;
    for (const c of claims) this.held.add(c);
    const p = done
      .catch((err) => this.log.error({ err }, `recording ${this.what.many} failed`))
      .finally(() => {
        this.inFlight -= claims.length;
        for (const c of claims) this.held.delete(c);
        this.running.delete(p);
        this.wake();
      });
    this.running.add(p);
  }

  /** Stops claiming and waits for the work under way; the heartbeat lasts as long as that work. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await (await this.watch)?.close();
    await this.loopDone;
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
    this.beating = false;
    clearTimeout(this.beat);
    await this.renewing;
  }

  /**
   * How long work on `claims` may take from `now`: up to the earliest lease as renewed so far, less
   * a margin, so nothing is still under way when a lease ends and another process may take over.
   */
  budget(claims: C[], now: number): number {
    return Math.min(...claims.map((c) => c.leaseUntil)) - now - LEASE_MARGIN_MS;
  }

  private scheduleRenewal(): void {
    this.beat = setTimeout(() => {
      this.renewing = this.renew().finally(() => {
        if (this.beating) this.scheduleRenewal();
      });
    }, this.opts.renewMs);
  }

  /**
   * The heartbeat: one statement moves every held lease further. If it fails the claims keep the
   * leases they have, which bound the work started under them (see budget). A claim taken over
   * after it lapsed carries another token: it is not renewed, and its late outcome settles nothing.
   */
  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    const held = [...this.held];
    const now = this.clock.now().getTime();
    const until = now + this.opts.leaseMs;
    let renewed: Set<Id>;
    try {
      renewed = new Set(await this.source.renewLeases(held, now, until));
    } catch (err) {
      this.log.warn({ err }, `renewing ${this.what.one} leases failed`);
      return;
    }
    let lost = 0;
    for (const c of held) {
      if (renewed.has(c.id)) c.leaseUntil = until;
      else if (this.held.has(c)) lost++;
    }
    if (lost > 0) this.log.warn({ lost }, `${this.what.one} leases lost (taken over after they lapsed)`);
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const room = Math.min(this.opts.batchSize, this.opts.maxInFlight - this.inFlight);
      let claimed: C[] = [];
      if (room > 0) {
        try {
          const now = this.clock.now().getTime();
          claimed = await this.source.claim(now, now + this.opts.leaseMs, room);
        } catch (err) {
          this.log.error({ err }, `claiming ${this.what.many} failed`);
        }
      }
      if (claimed.length > 0) this.work(claimed);
      // A full batch suggests more is due; otherwise wait for a commit, a finished job or the poll.
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
}

/** A dispatcher runs as long as its loop: starting, waking and stopping it is starting, waking and stopping the loop. */
export abstract class LoopDriven<C extends Leased<Id>, Id> {
  protected abstract readonly loop: ClaimLoop<C, Id>;

  start(): void {
    this.loop.start();
  }

  /** Something was committed: look now instead of at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Stops claiming (claims not yet started are given back) and waits for the work under way to be recorded. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
