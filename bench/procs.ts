import { randomBytes } from 'node:crypto';
/** Child processes for the bench: spawn, wait until serving, read peak RSS, stop; all killed on exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout: the harness (load generator, bare server, seeding) always runs from here. */
export const ROOT = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
/**
 * The checkout whose verifyd is measured: BENCH_ROOT, to A/B another commit with this harness, or
 * this one. Its dist/main.js resolves its own node_modules, so it runs exactly as there.
 */
export const SERVER_ROOT = realpathSync(process.env.BENCH_ROOT || ROOT);
export const VERIFYD_MAIN = join(SERVER_ROOT, 'dist', 'main.js');

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Proc {
  child: ChildProcess;
  pid: number;
  /** The last few KB of the child's stdout+stderr, for error messages. */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * `node --import tsx <script>` from the repository root, or plain `node <script>` for built .js
 * (verifyd runs from dist/ exactly as `npm start` runs it: without tsx's loader thread in its RSS).
 */
export function spawnTs(script: string, args: string[], env: Record<string, string>, nodeArgs: string[] = []): Proc {
  const loader = script.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...nodeArgs, ...loader, script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${script}`);
  live.add(child);
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4096);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });
  return { child, pid: child.pid, output: () => tail, exited };
}

/**
 * Runs a script with `input` on its stdin and returns its stdout; fails on a non-zero exit or after
 * timeoutMs. With onStderr, each line the script writes to stderr is also passed on as it comes (progress).
 */
export async function runTs(script: string, input: string, timeoutMs: number, onStderr?: (line: string) => void): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  child.stdin.end(input);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  let partial = '';
  child.stderr.on('data', (c: Buffer) => {
    const text = c.toString('utf8');
    err = (err + text).slice(-4096);
    if (!onStderr) return;
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) onStderr(line);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  live.delete(child);
  if (code !== 0) throw new Error(`${script} exited with ${code ?? 'a signal (timeout?)'}:\n${err}`);
  return out;
}

export { freePort } from '../scripts/free-port.js';

/** Polls GET /healthz until it answers 200, the process exits, or timeoutMs passes. */
export async function waitHealthy(proc: Proc, baseUrl: string, timeoutMs = 30_000): Promise<void> {
  let exited = false;
  void proc.exited.then(() => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`server exited before it was ready:\n${proc.output()}`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server not ready after ${timeoutMs} ms:\n${proc.output()}`);
}

/** Peak resident set size (VmHWM) in MB, or null where /proc is not available. */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** SIGTERM, then SIGKILL if the process is still there after graceMs. */
export async function stop(proc: Proc, graceMs = 5000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** Kills every child still running (used on SIGINT/SIGTERM before the async cleanups run). */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** The environment every benchmarked verifyd starts with: quiet logs, fresh keys and account. */
export function verifydEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    CODE_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    TOKEN_KEYS: `t1:${randomBytes(32).toString('hex')}`,
    TWILIO_ACCOUNT_SID: `AC${randomBytes(16).toString('hex')}`,
    TWILIO_AUTH_TOKEN: randomBytes(16).toString('hex'),
    ...extra,
  };
}
