import pg from 'pg';
import { OUTBOX_CHANNEL } from './outbox.js';

const RETRY_MS = 1_000;

/**
 * A connection of its own that LISTENs for outbox commits and calls `onCommit` for each. Whenever
 * it drops (or cannot be opened, at start too) another is tried a second later, for as long as the
 * listener is open; meanwhile the dispatcher's poll still finds every event, so a lost
 * notification only delays delivery.
 */
export function listenForOutbox(url: string, onCommit: () => void): Promise<{ close(): Promise<void> }> {
  return listenOn(url, OUTBOX_CHANNEL, () => onCommit());
}

/**
 * LISTENs on `channel` and calls `onNotify` with each notification's payload, and with null once
 * each time a connection is made (at start and after a loss): whatever was announced while no
 * connection listened was missed.
 */
export async function listenOn(url: string, channel: string, onNotify: (payload: string | null) => void): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const schedule = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect();
    }, RETRY_MS);
    retry.unref();
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    const lost = () => {
      if (current === c) current = undefined;
      c.end().catch(() => undefined);
      schedule();
    };
    c.on('notification', (n) => onNotify(n.payload ?? ''));
    c.on('error', lost);
    c.on('end', () => {
      if (current === c) lost();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
    } catch {
      lost();
      return;
    }
    if (closed) return void c.end().catch(() => undefined);
    current = c;
    // Notifications sent while no connection listened were missed: say so once now.
    onNotify(null);
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = current;
      current = undefined;
      await c?.end().catch(() => undefined);
    },
  };
}
