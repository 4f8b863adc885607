/**
 * verifyd as real processes for the durability tests: `node --import tsx src/<entry>.ts` (as
 * process.test.ts starts it, so no build is needed) on a SQLite file or a throwaway PostgreSQL
 * database, with the environment spelled out; plus plain SQL on that database, to see what the
 * processes committed (the store has no listing of events, and a killed process cannot be asked).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import twilio from 'twilio';
import { freePort } from '../../scripts/free-port.js';
import { createPostgresDatabase, type BackendName, type Skip } from './databases.js';
import { LocalRequestClient, type Account } from './server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const running = new Set<ChildProcess>();
const started: Array<{ script: string; proc: Proc }> = [];

/** SIGKILLs every process started here that is still running (for an after() hook). */
export function killAll(): void {
  for (const c of running) c.kill('SIGKILL');
}

export interface Proc {
  child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves when the process is gone: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The output of every process started since the last call, for a failing test to show. */
export function takeOutputs(): string[] {
  const out = started.map(({ script, proc }) => `${script} (pid ${proc.child.pid}):\n${proc.err()}${proc.out()}`.trim());
  started.length = 0;
  return out;
}

/** Runs <script> (a path from the repository root, with `args`) with only PATH, HOME and `env`: nothing from the test runner leaks in. */
export function spawnEntry(script: string, env: Record<string, string>, args: string[] = []): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  const proc: Proc = { child, out: () => out, err: () => err, exited };
  started.push({ script, proc });
  return proc;
}

/** Waits until `ready` holds, failing early (with the output) if the process exits first. */
async function until(p: Proc, ready: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  let gone = false;
  void p.exited.then(() => (gone = true));
  for (const deadline = Date.now() + timeoutMs; ; ) {
    if (await ready()) return;
    if (gone) throw new Error(`${what}: the process exited first\nstderr:\n${p.err()}\nstdout:\n${p.out()}`);
    if (Date.now() > deadline) {
      p.child.kill('SIGKILL');
      throw new Error(`${what}: not within ${timeoutMs} ms\nstderr:\n${p.err()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** src/main.ts (or another server entry, e.g. test/support/queued-main.ts) on a free port, once /healthz answers. */
export async function startVerifyd(env: Record<string, string>, script = 'src/main.ts'): Promise<Proc & { base: string }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const p = spawnEntry(script, { ...env, PORT: String(port) });
    const base = `http://127.0.0.1:${port}`;
    try {
      await until(p, () => fetch(`${base}/healthz`).then((r) => r.ok, () => false), 'verifyd ready');
      return { ...p, base };
    } catch (err) {
      // Another test file's child bound the port between freePort's check and this child's bind.
      if (attempt < 3 && /EADDRINUSE/.test(p.err() + p.out())) continue;
      throw err;
    }
  }
}

/** src/dispatcher-main.ts, once it logged that it runs (needs LOG_LEVEL info or lower). */
export async function startDispatcher(env: Record<string, string>): Promise<Proc> {
  const p = spawnEntry('src/dispatcher-main.ts', env);
  await until(p, () => p.out().includes('event dispatcher running'), 'dispatcher running');
  return p;
}

/** Sends `signal` and waits for the process to be gone. */
export async function signal(p: Proc, sig: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  p.child.kill(sig);
  return p.exited;
}

/** The bootstrap account (TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN) with an SDK client on `base`. */
export function accountOn(base: string, sid: string, authToken: string): Account {
  return { sid, authToken, client: twilio(sid, authToken, { httpClient: new LocalRequestClient(base), autoRetry: false }) };
}

/** A database for processes: the environment that points verifyd at it, plain SQL on it, and removal. */
export interface ProcessDatabase {
  backend: BackendName;
  env: Record<string, string>;
  /** `?` placeholders on both backends. */
  query<R>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

export async function processDatabase(backend: BackendName): Promise<ProcessDatabase | Skip> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'verifyd-durable-'));
    const path = join(dir, 'verifyd.db');
    return {
      backend,
      env: { SQLITE_PATH: path },
      async query<R>(sql: string, params: unknown[] = []) {
        // A connection per query: the file is shared with verifyd processes (WAL), and may be read
        // between a SIGKILL and the restart.
        const db = new BetterSqlite3(path);
        try {
          const stmt = db.prepare(sql);
          if (!stmt.reader) stmt.run(...params);
          return (stmt.reader ? stmt.all(...params) : []) as R[];
        } finally {
          db.close();
        }
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const db = await createPostgresDatabase();
  if ('skip' in db) return db;
  return {
    backend,
    // With DATABASE_URL every process needs the same CODE_KEYS and TOKEN_KEYS (the SQLite default keeps them beside the file).
    env: { DATABASE_URL: db.url, CODE_KEYS: `k1:${randomBytes(32).toString('hex')}`, TOKEN_KEYS: `t1:${randomBytes(32).toString('hex')}`, DB_POOL_SIZE: '4' },
    async query<R>(sql: string, params: unknown[] = []) {
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      try {
        let i = 0;
        return (await c.query(sql.replace(/\?/g, () => `$${++i}`), params)).rows as R[];
      } finally {
        await c.end();
      }
    },
    drop: () => db.drop(),
  };
}

/**
 * What a durability test runs verifyd with: the database, a bootstrap account (its sid and token
 * returned too), warn-level logs, the shortest lease verifyd accepts (so a killed process's
 * claims lapse soon) and a short poll; `extra` on top.
 */
export function durableEnv(db: ProcessDatabase, extra: Record<string, string> = {}): { env: Record<string, string>; sid: string; token: string } {
  const sid = `AC${randomBytes(16).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  const env = { ...db.env, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, LOG_LEVEL: 'warn', EVENTS_LEASE_SECONDS: '5', EVENTS_POLL_MS: '100', ...extra };
  return { env, sid, token };
}

/** `src/cli.ts` with `args` on a SQLite file, run to its end: its exit code and what it printed. */
export async function runCli(SQLITE_PATH: string, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawnEntry('src/cli.ts', { SQLITE_PATH }, args);
  const { code } = await p.exited;
  return { code, out: p.out(), err: p.err() };
}

/** A fresh SQLite file in its own directory (removed with `cleanUpCliDirs`) and an account made on it by `cli account create`. */
const cliDirs: string[] = [];
export async function cliDatabase(prefix: string): Promise<{ SQLITE_PATH: string; sid: string; token: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cliDirs.push(dir);
  const SQLITE_PATH = join(dir, 'verifyd.db');
  const account = await runCli(SQLITE_PATH, 'account', 'create');
  if (account.code !== 0) throw new Error(`cli account create failed: ${account.err}`);
  return { SQLITE_PATH, sid: /TWILIO_ACCOUNT_SID=(AC\w+)/.exec(account.out)![1]!, token: /TWILIO_AUTH_TOKEN=(\w+)/.exec(account.out)![1]! };
}

export function cleanUpCliDirs(): void {
  for (const d of cliDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
