import { existsSync, linkSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import type { CodeKey } from '../domain/code/keys.js';
import { createPrivateFile, makePrivateDir } from '../private-files.js';
import { ConfigError, type Config } from './config.js';

/**
 * The start-up step of every entry point (the server, the dispatcher, and the CLI, which may start
 * first on a fresh data directory): with the embedded store and no CODE_KEYS (TOKEN_KEYS), a key is
 * generated once and kept beside the database (mode 0600, in a folder it creates 0700), so
 * `npm start` needs no setup and codes and auth tokens survive restarts.
 */
export function ensureLocalKeys(config: Config): Config {
  return {
    ...config,
    codeKeys: config.codeKeyFile === null ? config.codeKeys : local('CODE_KEYS', config.codeKeyFile),
    tokenKeys: config.tokenKeyFile === null ? config.tokenKeys : local('TOKEN_KEYS', config.tokenKeyFile),
  };
}

function local(name: string, file: string): CodeKey[] {
  try {
    return [localKey(file)];
  } catch (err) {
    throw new ConfigError([`${name}: ${(err as Error).message}`]);
  }
}

function localKey(file: string): CodeKey {
  if (!existsSync(file)) {
    makePrivateDir(dirname(file));
    // Written to a temporary name and linked into place, so a second process starting at the same
    // moment (another server, or the CLI) never reads a half-written file, and whichever process
    // links first wins (EEXIST for the other, which then reads the winner's key).
    const key = randomBytes(32).toString('hex');
    const exists = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EEXIST';
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    try {
      createPrivateFile(tmp, key);
      linkSync(tmp, file);
    } catch (err) {
      // A file system without hard links: fall back to an exclusive create.
      if (!exists(err)) {
        try {
          createPrivateFile(file, key);
        } catch (err2) {
          if (!exists(err2)) throw err2;
        }
      }
    } finally {
      rmSync(tmp, { force: true });
    }
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'utf8');
  if (secret.length < 32) throw new Error(`the key in ${file} is shorter than 32 bytes; delete it to have a new one generated`);
  return { id: 'local', secret };
}
