/**
 * At most `size` sends handed to a carrier at once; the rest wait here, where a wait can still be
 * called off. A library with its own queue (nodemailer's pool) cannot take a message back once it
 * has it, so a send cut off by the dispatcher's deadline while queued there would still go out, and
 * its retry would send it twice. Waiting here instead, a send that times out before its turn is
 * definitely not sent.
 */
export class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  /** Runs `fn` once a slot is free; rejects without running it if `signal` aborts first. */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.take(signal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private take(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(notSent(signal));
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const turn = () => {
        signal?.removeEventListener('abort', abandon);
        resolve();
      };
      const abandon = () => {
        const i = this.waiting.indexOf(turn);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(notSent(signal!));
      };
      this.waiting.push(turn);
      signal?.addEventListener('abort', abandon, { once: true });
    });
  }

  private release(): void {
    // The slot passes straight to the next waiter, so `free` only grows when nobody waits.
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** A send called off before it was handed on: nothing left verifyd, so trying again is safe. */
export class NotSent extends Error {
  override readonly name = 'NotSent';
}

function notSent(signal: AbortSignal): NotSent {
  const why = signal.reason instanceof Error ? signal.reason.message : 'the send was called off';
  return new NotSent(`not handed to the carrier: ${why}`);
}
