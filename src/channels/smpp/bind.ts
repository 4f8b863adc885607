import smpp from 'smpp';
import type { SmppSettings } from './settings.js';
import { ESME, hex, isThrottle } from './status.js';

/** One submit_sm waiting for a bind, or sent on one and waiting for its answer. */
export interface Submission {
  params: Record<string, unknown>;
  /** Called once with the SMSC's answer; not at all when the connection is lost first (the provider submits it again). */
  answer(status: number, messageId: string): void;
  /** Ends the wait with an error (no bind can take it, the provider closed). */
  fail(err: unknown): void;
  /** Set when the sender stopped waiting (aborted): a late answer is dropped. */
  done: boolean;
  /**
   * Set once its submit_sm is written to a connection and not answered "throttled": from then on
   * the SMSC may have taken it, so its failure is never "not reached".
   */
  written?: boolean;
}

export interface BindHooks {
  /** The bind has room again (bound, an answer freed the window, a throttle pause ended). */
  ready(): void;
  /** The connection ended: these were sent and never answered, oldest first. */
  lost(unanswered: Submission[]): void;
  /** A deliver_sm (a receipt or a mobile-originated message); resolves the command_status to answer with. */
  deliver(pdu: smpp.PDU): Promise<number>;
}

export type BindState = 'idle' | 'connecting' | 'bound' | 'down';

/**
 * The clock and timers of pacing, throttle pauses and reconnects, and the reconnect jitter: real
 * ones in production; tests drive them by hand to check the delays without waiting for them. The
 * answer timeouts (bind, submit_sm, enquire_link) stay on real timers: they end dead connections.
 */
export interface SmppTime {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** In [0, 1). */
  random(): number;
}

export const realTime: SmppTime = {
  now: () => performance.now(),
  after: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  random: () => Math.random(),
};

const THROTTLE_FIRST_MS = 100;
const THROTTLE_MAX_MS = 5000;

/**
 * One bind_transceiver session to the SMSC: at most `window` submit_sm unanswered, at most its
 * share of `max_per_second`, enquire_link every `enquire_link_seconds`, and a reconnect with
 * exponential backoff (and jitter) when the connection or the bind fails. A connection that stayed
 * bound for `reconnect_max_ms` is reconnected at once the first time it is lost; one lost sooner
 * is a failure like a refused bind.
 */
export class SmppBind {
  state: BindState = 'idle';
  /** Why the last connection or bind failed, for the provider's thrown errors (no secrets in it). */
  lastError = 'not connected yet';
  private session: smpp.Session | null = null;
  private readonly unanswered = new Map<number, { sub: Submission; timer: NodeJS.Timeout }>();
  private failures = 0;
  private nextSendAt = 0;
  private throttleMs = 0;
  private readonly intervalMs: number;
  /** Cancels the pending throttle pauses and reconnects. */
  private timers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly settings: SmppSettings,
    private readonly hooks: BindHooks,
    private readonly time: SmppTime = realTime,
  ) {
    this.intervalMs = (1000 * settings.binds) / settings.maxPerSecond;
  }

  get load(): number {
    return this.unanswered.size;
  }

  /** Milliseconds until this bind may submit (0: now); null when it cannot (not bound, or its window is full). */
  readyIn(now: number): number | null {
    if (this.state !== 'bound' || this.unanswered.size >= this.settings.window) return null;
    return Math.max(0, this.nextSendAt - now);
  }

  start(): void {
    if (this.state === 'idle') this.connect();
  }

  submit(sub: Submission, now: number): void {
    const session = this.session!;
    this.nextSendAt = Math.max(now, this.nextSendAt) + this.intervalMs;
    const pdu = new smpp.PDU('submit_sm', sub.params);
    // No answer in time: the connection is taken for dead, and its unanswered messages are submitted again elsewhere.
    const timer = setTimeout(() => this.drop(session, `no submit_sm_resp within ${this.settings.submitTimeoutMs} ms`), this.settings.submitTimeoutMs);
    sub.written = true;
    session.send(pdu, (resp) => this.answered(resp));
    this.unanswered.set(pdu.sequence_number, { sub, timer });
  }

  private answered(resp: smpp.PDU): void {
    const entry = this.unanswered.get(resp.sequence_number);
    if (!entry) return;
    this.unanswered.delete(resp.sequence_number);
    clearTimeout(entry.timer);
    if (isThrottle(resp.command_status)) {
      // Slow down: this bind pauses, longer each time in a row, and the message goes back to the front of the queue.
      this.throttleMs = Math.min(THROTTLE_MAX_MS, this.throttleMs === 0 ? THROTTLE_FIRST_MS : this.throttleMs * 2);
      this.nextSendAt = this.time.now() + this.throttleMs;
      // The SMSC said it took nothing.
      entry.sub.written = false;
      this.hooks.lost([entry.sub]);
      this.later(() => this.hooks.ready(), this.throttleMs);
      return;
    }
    if (resp.command_status === ESME.ROK) this.throttleMs = 0;
    entry.sub.answer(resp.command_status, typeof resp.message_id === 'string' ? resp.message_id : '');
    this.hooks.ready();
  }

  private connect(): void {
    if (this.closed) return;
    this.state = 'connecting';
    const s = this.settings;
    const session = smpp.connect({ host: s.host, port: s.port, tls: s.tls, ca: s.ca ?? undefined, rejectUnauthorized: s.rejectUnauthorized, servername: s.tls ? s.host : undefined });
    this.session = session;
    let bound = false;
    let boundAt = 0;
    const bindTimer = setTimeout(() => this.drop(session, 'no bind_transceiver_resp in time'), s.submitTimeoutMs);
    session.on('error', (err: Error & { code?: string }) => {
      this.lastError = `connection error (${err.code ?? err.name})`;
    });
    session.on('close', () => {
      clearTimeout(bindTimer);
      // Bound for less than reconnect_max_ms counts as a failure: an SMSC that takes the bind and
      // drops it at once would otherwise be reconnected in a tight loop.
      this.disconnected(session, bound && this.time.now() - boundAt >= s.reconnect.maxMs);
    });
    session.on(s.tls ? 'secureConnect' : 'connect', () => {
      session.bind_transceiver({ system_id: s.systemId, password: s.password, system_type: s.systemType, interface_version: 0x34 }, (resp) => {
        clearTimeout(bindTimer);
        if (resp.command_status !== ESME.ROK) {
          this.lastError = `bind_transceiver refused (command_status ${hex(resp.command_status)})`;
          session.destroy();
          return;
        }
        bound = true;
        boundAt = this.time.now();
        this.state = 'bound';
        this.keepAlive(session);
        this.hooks.ready();
      });
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      this.lastError = 'the SMSC unbound';
      session.close();
    });
    session.on('deliver_sm', (pdu: smpp.PDU) => {
      void this.hooks.deliver(pdu).then((command_status) => session.send(pdu.response({ command_status })));
    });
  }

  /** enquire_link on a timer; one still unanswered at the next tick means the connection is dead. */
  private keepAlive(session: smpp.Session): void {
    let waiting = false;
    const timer = setInterval(() => {
      if (waiting) return this.drop(session, 'no enquire_link_resp');
      waiting = true;
      session.enquire_link({}, () => (waiting = false));
    }, this.settings.enquireLinkMs);
    session.on('close', () => clearInterval(timer));
  }

  private drop(session: smpp.Session, why: string): void {
    if (this.session !== session) return;
    this.lastError = why;
    session.destroy();
  }

  private disconnected(session: smpp.Session, worked: boolean): void {
    if (this.session !== session) return;
    this.session = null;
    const lost = [...this.unanswered.values()];
    this.unanswered.clear();
    for (const { timer } of lost) clearTimeout(timer);
    if (this.closed) {
      this.state = 'down';
      this.hooks.lost(lost.map((e) => e.sub));
      return;
    }
    if (worked) {
      // A connection that worked is tried again at once; backoff starts over with the next failure.
      this.failures = 0;
      this.state = 'connecting';
      this.hooks.lost(lost.map((e) => e.sub));
      this.connect();
      return;
    }
    this.failures++;
    this.state = 'down';
    this.hooks.lost(lost.map((e) => e.sub));
    const r = this.settings.reconnect;
    const delay = Math.min(r.maxMs, r.minMs * 2 ** (this.failures - 1));
    this.later(() => this.connect(), delay / 2 + this.time.random() * (delay / 2));
  }

  private later(fn: () => void, ms: number): void {
    const cancel = this.time.after(ms, () => {
      this.timers.delete(cancel);
      fn();
    });
    this.timers.add(cancel);
  }

  /** Unbinds (briefly waiting for the answer) and closes for good; no reconnect. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.timers) cancel();
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const done = setTimeout(() => session.destroy(), 1000);
      session.on('close', () => {
        clearTimeout(done);
        resolve();
      });
      if (this.state !== 'bound' || !session.unbind({}, () => session.destroy())) session.destroy();
    });
  }
}
