import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the SQLite WAL from a worker thread with its own connection. SQLite's automatic
 * checkpoint runs inside whichever commit crosses the threshold and fsyncs the database there,
 * on the event loop; moved to a worker, requests only append to the WAL. The main connection keeps
 * a high automatic threshold as a safety net, so the WAL stays bounded even if the worker stops.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} db.close(); parentPort.close(); });
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(path: string, everyMs = 1000): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, everyMs, driver } });
  // The process must be able to exit while the worker idles between checkpoints.
  worker.unref();
  // Without the worker, the main connection's safety-net threshold still bounds the WAL; say so.
  worker.on('error', (err) => process.emitWarning(`SQLite checkpoint worker stopped: ${err.message}`));
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        // Held again while stopping: an unreferenced worker would let the event loop drain (and
        // the process exit) before this promise settles.
        worker.ref();
        worker.once('exit', () => resolve());
        worker.postMessage('stop');
        setTimeout(() => void worker.terminate().then(() => resolve()), 2000).unref();
      }),
  };
}
