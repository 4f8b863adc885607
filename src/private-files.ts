import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * What verifyd keeps on disk (auth tokens and inbox codes in the database, code keys, first-start
 * credentials) is for its own user only. Modes are set explicitly after creating, because the ones
 * given to mkdir and open are masked by the umask and the defaults (0777, 0666) are not private.
 */
export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

const exists = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';

/** Creates `dir` and its missing parents, each one created 0700; folders that exist are left as they are. */
export function makePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: PRIVATE_DIR });
    } catch (err) {
      // Another process (a second node, the CLI) made it a moment ago, and sets its mode itself.
      if (exists(err)) continue;
      throw err;
    }
    chmodSync(d, PRIVATE_DIR);
  }
}

/**
 * Creates `file` 0600 holding `content`, and fails with EEXIST if it exists (O_EXCL): an existing
 * file is never overwritten. The mode is set before anything is written.
 */
export function createPrivateFile(file: string, content = ''): void {
  const fd = openSync(file, 'wx', PRIVATE_FILE);
  try {
    fchmodSync(fd, PRIVATE_FILE);
    if (content !== '') writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

/** Creates an empty `file` 0600 unless it exists (which is left as it is). */
export function ensurePrivateFile(file: string): void {
  try {
    createPrivateFile(file);
  } catch (err) {
    if (!exists(err)) throw err;
  }
}

export interface LoosePath {
  path: string;
  /** Its permission bits now, e.g. 0o755. */
  mode: number;
  /** The mode verifyd gives what it creates (0700 or 0600). */
  wanted: number;
}

/** Those of `paths` that exist and grant more than `wanted` (anything to the group or others). */
export function loosePaths(paths: ReadonlyArray<{ path: string; wanted: number }>): LoosePath[] {
  const loose: LoosePath[] = [];
  for (const { path, wanted } of paths) {
    let mode: number;
    try {
      mode = statSync(path).mode & 0o777;
    } catch {
      continue;
    }
    if ((mode & ~wanted) !== 0) loose.push({ path, mode, wanted });
  }
  return loose;
}
