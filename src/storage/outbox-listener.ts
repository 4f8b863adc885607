import pg from 'pg';
import { OUTBOX_CHANNEL } from './event-queries.js';

/**
 * A connection of its own that LISTENs for outbox commits and calls `onCommit` for each. If the
 * connection drops it is opened again after a second; meanwhile the dispatcher's poll still finds
 * every event, so a lost notification only delays delivery.
 */
export async function listenForOutbox(url: string, onCommit: () => void): Promise<{ close(): Promise<void> }> {
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', () => onCommit());
    c.on('error', () => reconnect(c));
    c.on('end', () => reconnect(c));
    await c.connect();
    await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    client = c;
    if (closed) await c.end();
  };
  const reconnect = (c: pg.Client) => {
    if (closed || client !== c || retry) return;
    client = undefined;
    retry = setTimeout(() => {
      retry = undefined;
      connect().catch(() => reconnect(c));
    }, 1000);
    retry.unref();
  };

  await connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
