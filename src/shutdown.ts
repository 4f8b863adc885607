import type { Log } from './log.js';

/** On SIGINT or SIGTERM, runs `close` once (finishing work under way) and exits. */
export function closeOnSignals(log: Pick<Log, 'info'>, close: () => Promise<void>): void {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down');
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
