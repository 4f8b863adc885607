/**
 * Throwaway databases for tests. Every suite that needs a store gets a fresh one, so suites can run
 * in parallel (node --test runs files in separate processes) without seeing each other's rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../scripts/throwaway-postgres.js';
import { parseCodeKeys } from '../../src/domain/code/keys.js';
import { openStores, type StorageConfig } from '../../src/storage/open.js';
import type { Stores } from '../../src/storage/stores.js';

export type BackendName = 'sqlite' | 'postgres';
export interface OpenedStore {
  stores: Stores;
  cleanup(): Promise<void>;
}
export type Skip = { skip: string };

/** The server the throwaway PostgreSQL databases are created on. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** TOKEN_KEYS of every test store and test server (test/support/server.ts): one key, so either can read what the other sealed. */
export const TEST_TOKEN_KEYS = `test:${'k'.repeat(32)}`;
const tokenKeys = parseCodeKeys(TEST_TOKEN_KEYS);

// Enough connections for the concurrency tests to have many transactions waiting on one row lock.
const PG_POOL_SIZE = 10;

/** A fresh SQLite file (not :memory:) so WAL mode and the file-backed code paths are what gets tested. */
export async function sqliteStore(): Promise<OpenedStore & { path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-test-'));
  let stores: Stores;
  try {
    stores = await openStores({ databaseUrl: null, sqlitePath: join(dir, 'verifyd.db'), poolSize: 1, tokenKeys });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    stores,
    path: join(dir, 'verifyd.db'),
    async cleanup() {
      await stores.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Creates `verifyd_test_<hex>` on the admin server. Only an unreachable server turns into a skip;
 * any other failure (e.g. no CREATEDB privilege) is a real error. TEST_REQUIRE_POSTGRES=1 makes an
 * unreachable server an error too, so CI cannot silently skip the PostgreSQL half.
 */
export async function createPostgresDatabase(): Promise<ThrowawayDatabase | Skip> {
  const db = await createThrowawayDatabase(ADMIN_URL, 'verifyd_test');
  if ('skip' in db && process.env.TEST_REQUIRE_POSTGRES === '1') throw new Error(db.skip);
  return db;
}

export async function postgresStore(): Promise<(OpenedStore & { url: string }) | Skip> {
  const db = await createPostgresDatabase();
  if ('skip' in db) return db;
  let stores: Stores;
  try {
    stores = await openStores({ databaseUrl: db.url, sqlitePath: '', poolSize: PG_POOL_SIZE, tokenKeys });
  } catch (err) {
    await db.drop();
    throw err;
  }
  return {
    stores,
    url: db.url,
    async cleanup() {
      try {
        await stores.close();
      } finally {
        await db.drop();
      }
    },
  };
}

/** An empty database of `backend` (no schema): its storage settings, the same as variables, and how to remove it. */
export async function emptyDatabase(backend: BackendName): Promise<{ cfg: StorageConfig; env: Record<string, string>; cleanup(): Promise<void> } | Skip> {
  if (backend === 'postgres') {
    const db = await createPostgresDatabase();
    if ('skip' in db) return db;
    return { cfg: { databaseUrl: db.url, sqlitePath: '', poolSize: 10 }, env: { DATABASE_URL: db.url }, cleanup: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-test-'));
  const path = join(dir, 'verifyd.db');
  return { cfg: { databaseUrl: null, sqlitePath: path, poolSize: 1 }, env: { SQLITE_PATH: path }, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

export const BACKENDS: Array<{ name: BackendName; open: () => Promise<OpenedStore | Skip> }> = [
  { name: 'sqlite', open: sqliteStore },
  { name: 'postgres', open: postgresStore },
];

/**
 * Registers `body` as one top-level test per backend, each with its own fresh stores. The body adds
 * subtests with `await t.test(...)`. An unreachable PostgreSQL skips its test with the reason shown.
 */
export function forEachBackend(title: string, body: (t: TestContext, stores: Stores, backend: BackendName) => Promise<void>): void {
  for (const backend of BACKENDS) {
    test(`${title} [${backend.name}]`, async (t) => {
      const opened = await backend.open();
      if ('skip' in opened) {
        t.skip(opened.skip);
        return;
      }
      try {
        await body(t, opened.stores, backend.name);
      } finally {
        await opened.cleanup();
      }
    });
  }
}
