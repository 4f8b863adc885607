/**
 * Group commit: writes asked for while another write is under way go into the next write together,
 * one transaction for many outcomes instead of one each. `write` answers one result per item, in
 * order. A failed group write is redone item group by item group, so one bad entry does not take
 * the others down with it. Used by the event dispatcher (deliveries) and the send dispatcher (sends).
 */
export class GroupCommit<T, R> {
  private waiting: Array<{ items: T[]; resolve: (results: R[]) => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly write: (items: T[]) => Promise<R[]>) {}

  /** Resolves with `items`' results once they are written (with whatever else was waiting). */
  add(items: T[]): Promise<R[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.waiting.length);
      try {
        const results = await this.write(batch.flatMap((b) => b.items));
        let at = 0;
        for (const b of batch) {
          b.resolve(results.slice(at, at + b.items.length));
          at += b.items.length;
        }
      } catch {
        for (const b of batch) await this.write(b.items).then(b.resolve, b.reject);
      }
    }
    this.flushing = false;
  }
}
