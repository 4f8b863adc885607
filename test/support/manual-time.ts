import type { SmppTime } from '../../src/channels/smpp/bind.js';

/**
 * SmppTime moved by hand: timers fire only in `advance`, so a test sees each delay the SMPP
 * provider asks for, and what it does at each moment, without waiting for real time.
 */
export class ManualTime implements SmppTime {
  private t = 0;
  private readonly timers: Array<{ due: number; fn: () => void }> = [];
  /** Every delay asked for, in order. */
  readonly requested: number[] = [];

  /** `randoms` are handed out in order by random() (0.5 once they run out). */
  constructor(private readonly randoms: number[] = []) {}

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer = { due: this.t + ms, fn };
    this.timers.push(timer);
    this.requested.push(ms);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }

  random(): number {
    return this.randoms.shift() ?? 0.5;
  }

  /** When the pending timers are due, earliest first. */
  get pending(): number[] {
    return this.timers.map((t) => t.due).sort((a, b) => a - b);
  }

  /** Moves the clock on by `ms`, firing each timer that falls due on the way at its own due time. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!next) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = next.due;
      next.fn();
    }
    this.t = end;
  }
}
