/** A benchmarked verifyd's environment for one store: its database (SQLite file or throwaway PostgreSQL) and port. */
import { join } from 'node:path';
import { createBenchDatabase } from './postgres.js';
import { freePort, verifydEnv } from './procs.js';

export interface ScenarioOpts {
  log: (s: string) => void;
  addCleanup: (fn: () => Promise<void> | void) => void;
}

export async function storeEnv(store: string, tmp: string, name: string, opts: ScenarioOpts, extra: Record<string, string> = {}): Promise<{ env: Record<string, string>; baseUrl: string } | { skip: string }> {
  const env = verifydEnv(extra);
  if (store === 'sqlite') env.SQLITE_PATH = join(tmp, `${name}.db`);
  else if (store === 'postgres') {
    const db = await createBenchDatabase();
    if ('skip' in db) return db;
    opts.addCleanup(() => db.drop());
    env.DATABASE_URL = db.url;
  } else throw new Error(`unknown store ${JSON.stringify(store)} (use sqlite or postgres)`);
  const port = await freePort();
  env.PORT = String(port);
  return { env, baseUrl: `http://127.0.0.1:${port}` };
}
