/**
 * loadConfig over plain env objects: defaults, every bad key, several problems reported at once;
 * and ensureLocalKeys, the start-up step that generates the local code key.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { ensureLocalKeys } from '../../src/config/local-keys.js';
import { ConfigError, loadConfig, type LoadOptions } from '../../src/config/config.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'verifyd-config-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const KEY = 'k1:' + 'a'.repeat(64);
const PG = 'postgres://u@127.0.0.1:5432/db';

/** What the server starts with: the config, then the start-up step. */
const load = (env: Record<string, string>) => ensureLocalKeys(loadConfig(env));

/** The problems a ConfigError lists, one per line. */
function problems(env: Record<string, string>, opts?: LoadOptions): string[] {
  try {
    ensureLocalKeys(loadConfig(env, opts));
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    const [head, ...rest] = err.message.split('\n');
    assert.equal(head, 'invalid configuration:');
    return rest.map((l) => l.replace(/^\s+- /, ''));
  }
  assert.fail(`no ConfigError for ${JSON.stringify(env)}`);
}

test('defaults', () => {
  const dir = tmp();
  const c = loadConfig({ SQLITE_PATH: join(dir, 'v.db') });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 4000);
  assert.equal(c.publicBaseUrl, 'http://127.0.0.1:4000');
  assert.equal(c.databaseUrl, null);
  assert.equal(c.sqlitePath, join(dir, 'v.db'));
  assert.equal(c.dbPoolSize, 10);
  assert.equal(c.verificationTtlMs, 600_000);
  assert.equal(c.expirySweepMs, 5000);
  assert.equal(c.bodyLimitBytes, 65_536);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.bootstrapAccountSid, null);
  assert.equal(c.bootstrapAuthToken, null);
  // Without DATABASE_URL the default SQLite file is ./data/verifyd.db (no key is written for it here).
  assert.equal(loadConfig({ DATABASE_URL: PG, CODE_KEYS: KEY, TOKEN_KEYS: KEY }).sqlitePath, resolve('./data/verifyd.db'));
});

test('without CODE_KEYS the SQLite setup generates one key beside the database and keeps it', () => {
  const dir = tmp();
  const first = load({ SQLITE_PATH: join(dir, 'sub', 'v.db') });
  const file = join(dir, 'sub', 'code-key');
  assert.ok(existsSync(file));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(first.codeKeys.length, 1);
  assert.equal(first.codeKeys[0]?.id, 'local');
  assert.ok((first.codeKeys[0]?.secret.length ?? 0) >= 32);
  const again = load({ SQLITE_PATH: join(dir, 'sub', 'v.db') });
  assert.deepEqual(again.codeKeys, first.codeKeys);
  assert.equal(readFileSync(file, 'utf8').trim().length, 64);
  // A truncated key file is reported, not silently used.
  writeFileSync(file, 'short');
  assert.match(problems({ SQLITE_PATH: join(dir, 'sub', 'v.db') }).join('\n'), /shorter than 32 bytes/);
});

test('loadConfig writes nothing: the start-up step (ensureLocalKeys) writes the key file', () => {
  const dir = tmp();
  const config = loadConfig({ SQLITE_PATH: join(dir, 'sub', 'v.db') });
  assert.deepEqual(config.codeKeys, []);
  assert.equal(config.codeKeyFile, join(dir, 'sub', 'code-key'));
  assert.equal(existsSync(join(dir, 'sub')), false, 'nothing written');
  assert.equal(ensureLocalKeys(config).codeKeys[0]?.id, 'local');
  assert.ok(existsSync(join(dir, 'sub', 'code-key')));
  // With CODE_KEYS, or with PostgreSQL, there is no key file to keep.
  assert.equal(loadConfig({ SQLITE_PATH: join(dir, 'v.db'), CODE_KEYS: KEY }).codeKeyFile, null);
  assert.equal(loadConfig({ DATABASE_URL: PG, CODE_KEYS: KEY, TOKEN_KEYS: KEY }).codeKeyFile, null);
});

test('processes generating the local key at the same moment all end up with the same key', async () => {
  // A server and the CLI (or two servers) may start together on a fresh data directory.
  const path = join(tmp(), 'fresh', 'v.db');
  // Each process loads the module, then spins until a common instant, so the calls really overlap.
  const at = Date.now() + 4000;
  const script = `Promise.all([import('./src/config/config.ts'), import('./src/config/local-keys.ts')]).then(([m, k]) => { while (Date.now() < ${at}); process.stdout.write(k.ensureLocalKeys(m.loadConfig({ SQLITE_PATH: ${JSON.stringify(path)} })).codeKeys[0].secret.toString('hex')); })`;
  const one = () =>
    new Promise<string>((res, rej) =>
      execFile(process.execPath, ['--import', 'tsx', '-e', script], { cwd: resolve(import.meta.dirname, '../..') }, (err, out, stderr) => (err ? rej(new Error(stderr)) : res(out))),
    );
  const keys = await Promise.all(Array.from({ length: 6 }, one));
  assert.equal(new Set(keys).size, 1, keys.join('\n'));
  assert.equal(Buffer.from(keys[0] ?? '', 'hex').length, 64);
});

test('explicit values are read', () => {
  const c = loadConfig({
    HOST: '0.0.0.0',
    PORT: '8080',
    DATABASE_URL: PG,
    CODE_KEYS: `new:${'n'.repeat(32)}, old:${'o'.repeat(40)}`,
    TOKEN_KEYS: `t2:${'2'.repeat(32)},t1:${'1'.repeat(32)}`,
    CREDENTIAL_CACHE_MS: '250',
    DB_POOL_SIZE: '3',
    VERIFICATION_TTL_SECONDS: '60',
    EXPIRY_SWEEP_SECONDS: '1',
    BODY_LIMIT_BYTES: '1024',
    LOG_LEVEL: 'debug',
    TWILIO_ACCOUNT_SID: `AC${'ab'.repeat(16)}`,
    TWILIO_AUTH_TOKEN: 'tok',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, PG);
  assert.deepEqual(c.codeKeys.map((k) => [k.id, k.secret.toString()]), [['new', 'n'.repeat(32)], ['old', 'o'.repeat(40)]]);
  assert.deepEqual(c.tokenKeys.map((k) => k.id), ['t2', 't1']);
  assert.equal(c.tokenKeyFile, null);
  assert.equal(c.credentialCacheMs, 250);
  assert.equal(c.dbPoolSize, 3);
  assert.equal(c.verificationTtlMs, 60_000);
  assert.equal(c.expirySweepMs, 1000);
  assert.equal(c.bodyLimitBytes, 1024);
  assert.equal(c.logLevel, 'debug');
  assert.equal(c.bootstrapAccountSid, `AC${'ab'.repeat(16)}`);
  assert.equal(c.bootstrapAuthToken, 'tok');
  assert.equal(c.publicBaseUrl, 'http://0.0.0.0:8080');
  assert.equal(loadConfig({ DATABASE_URL: 'postgresql://x/y', CODE_KEYS: KEY, TOKEN_KEYS: KEY }).databaseUrl, 'postgresql://x/y');
});

test('event delivery settings: defaults and explicit values', () => {
  const base = { DATABASE_URL: PG, CODE_KEYS: KEY, TOKEN_KEYS: KEY };
  const d = loadConfig(base).events;
  assert.deepEqual(
    [d.dispatcher, d.pollMs, d.lingerMs, d.sinkConcurrency, d.leaseMs, d.leaseRenewMs, d.retryBaseMs, d.retryWindowMs, d.kinesisEndpoint, d.kinesisRegion, d.kinesisAssumeRole, d.kinesisStsEndpoint],
    [true, 1000, 10, 64, 10_000, 2_000, 1000, 4 * 3600_000, null, null, false, null],
  );
  // Settings no variable changes: the dispatcher's sizes, the send timeouts, the backoff's cap.
  assert.deepEqual(
    [d.batchSize, d.maxInFlight, d.webhookTimeoutMs, d.kinesisTimeoutMs, d.retryCapMs],
    [100, 1000, 5000, 5000, 600_000],
  );
  const e = loadConfig({
    ...base,
    EVENTS_DISPATCHER: 'off',
    EVENTS_LEASE_SECONDS: '30',
    KINESIS_ENDPOINT: 'http://127.0.0.1:4567',
    KINESIS_REGION: 'eu-west-1',
    KINESIS_ASSUME_ROLE: 'on',
    KINESIS_STS_ENDPOINT: 'https://sts.eu-west-1.amazonaws.com',
  }).events;
  assert.deepEqual(
    [e.dispatcher, e.leaseMs, e.leaseRenewMs, e.kinesisEndpoint, e.kinesisRegion, e.kinesisAssumeRole, e.kinesisStsEndpoint],
    [false, 30_000, 6_000, 'http://127.0.0.1:4567', 'eu-west-1', true, 'https://sts.eu-west-1.amazonaws.com'],
  );
});

test('PUBLIC_BASE_URL: derived from HOST and PORT, IPv6 bracketed, trailing slash dropped, checked', () => {
  const base = { DATABASE_URL: PG, CODE_KEYS: KEY, TOKEN_KEYS: KEY };
  assert.equal(loadConfig({ ...base, HOST: '::1', PORT: '4100' }).publicBaseUrl, 'http://[::1]:4100');
  assert.equal(loadConfig({ ...base, PUBLIC_BASE_URL: 'https://verify.example.com/' }).publicBaseUrl, 'https://verify.example.com');
  assert.equal(loadConfig({ ...base, PUBLIC_BASE_URL: 'https://example.com/verifyd/' }).publicBaseUrl, 'https://example.com/verifyd');
  assert.deepEqual(problems({ ...base, PUBLIC_BASE_URL: 'not a url' }), ['PUBLIC_BASE_URL is not a URL (got "not a url")']);
});

test('each bad key is reported by name', () => {
  const base = { DATABASE_URL: PG, CODE_KEYS: KEY, TOKEN_KEYS: KEY };
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^PORT must be an integer between 0 and 65535 \(got "abc"\)$/],
    [{ PORT: '65536' }, /^PORT must be an integer/],
    [{ PORT: '-1' }, /^PORT must be an integer/],
    [{ PORT: '80.5' }, /^PORT must be an integer/],
    [{ PORT: '0x50' }, /^PORT must be an integer/],
    [{ PORT: '1e3' }, /^PORT must be an integer/],
    [{ DB_POOL_SIZE: '0' }, /^DB_POOL_SIZE must be an integer between 1 and 200/],
    [{ VERIFICATION_TTL_SECONDS: '59' }, /^VERIFICATION_TTL_SECONDS must be an integer between 60 and 86400/],
    [{ EXPIRY_SWEEP_SECONDS: 'soon' }, /^EXPIRY_SWEEP_SECONDS/],
    [{ BODY_LIMIT_BYTES: '100' }, /^BODY_LIMIT_BYTES must be an integer between 1024/],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\/$/],
    [{ CODE_KEYS: 'short' }, /^CODE_KEYS: CODE_KEYS entries must look like id:secret$/],
    [{ CODE_KEYS: ':' + 'a'.repeat(40) }, /entries must look like id:secret/],
    [{ CODE_KEYS: 'k:tooshort' }, /^CODE_KEYS: each CODE_KEYS secret must be at least 32 bytes$/],
    [{ CODE_KEYS: ` , ` }, /^CODE_KEYS: CODE_KEYS holds no id:secret entry$/],
    [{ CODE_KEYS: `k:${'a'.repeat(32)},k:${'b'.repeat(32)}` }, /^CODE_KEYS: CODE_KEYS has the id "k" twice$/],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\)$/],
    [{ TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 't' }, /^TWILIO_ACCOUNT_SID must be AC followed by 32 hex characters$/],
    [{ TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` }, /^TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together$/],
    [{ TWILIO_AUTH_TOKEN: 'token' }, /^TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN go together$/],
    [{ EVENTS_DISPATCHER: 'yes' }, /^EVENTS_DISPATCHER must be on or off \(got "yes"\)$/],
    [{ EVENTS_LEASE_SECONDS: '4' }, /^EVENTS_LEASE_SECONDS must be an integer between 5 and 3600/],
    [{ EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'lan' }, /^EVENTS_WEBHOOK_BLOCKED_NETWORKS has "lan", which is neither a group/],
    [{ KINESIS_ENDPOINT: 'localhost:4567' }, /^KINESIS_ENDPOINT must be an http:\/\/ or https:\/\/ URL$/],
    [{ KINESIS_ASSUME_ROLE: 'true' }, /^KINESIS_ASSUME_ROLE must be on or off \(got "true"\)$/],
    [{ KINESIS_ASSUME_ROLE: 'on', KINESIS_STS_ENDPOINT: 'ftp://sts' }, /^KINESIS_STS_ENDPOINT must be an http:\/\/ or https:\/\/ URL$/],
    [{ KINESIS_ASSUME_ROLE: 'on', KINESIS_STS_ENDPOINT: 'http://' }, /^KINESIS_STS_ENDPOINT must be an http:\/\/ or https:\/\/ URL$/],
    [{ KINESIS_STS_ENDPOINT: 'https://sts.amazonaws.com' }, /^KINESIS_STS_ENDPOINT is only used with KINESIS_ASSUME_ROLE=on$/],
  ];
  for (const [env, expected] of cases) {
    const found = problems({ ...base, ...env });
    assert.equal(found.length, 1, `${JSON.stringify(env)}: ${found.join(' | ')}`);
    assert.match(found[0] ?? '', expected, JSON.stringify(env));
  }
});

test('CORS_ALLOWED_ORIGINS: none by default; bare origins, written as browsers send them; nothing else', () => {
  const base = { DATABASE_URL: PG, CODE_KEYS: KEY, TOKEN_KEYS: KEY };
  assert.deepEqual(loadConfig(base).corsAllowedOrigins, []);
  assert.deepEqual(loadConfig({ ...base, CORS_ALLOWED_ORIGINS: ' , ' }).corsAllowedOrigins, []);
  assert.deepEqual(
    loadConfig({ ...base, CORS_ALLOWED_ORIGINS: 'https://Console.Example.com, http://localhost:3000,https://a.example:443,http://[::1]:8080' }).corsAllowedOrigins,
    ['https://console.example.com', 'http://localhost:3000', 'https://a.example', 'http://[::1]:8080'],
  );
  for (const bad of ['console.example.com', 'https://console.example.com/', 'https://a.example/app', 'https://a.example?x', 'https://u:p@a.example', 'ftp://a.example', 'null', '*', 'https://']) {
    assert.deepEqual(
      problems({ ...base, CORS_ALLOWED_ORIGINS: `https://ok.example,${bad}` }),
      [`CORS_ALLOWED_ORIGINS must be comma-separated origins like https://console.example.com, without path (got ${JSON.stringify(bad)})`],
      bad,
    );
  }
});

test('CODE_KEYS is required with DATABASE_URL', () => {
  const found = problems({ DATABASE_URL: PG, TOKEN_KEYS: KEY });
  assert.equal(found.length, 1);
  assert.match(found[0] ?? '', /^CODE_KEYS is required with DATABASE_URL/);
});

test('TOKEN_KEYS is required with DATABASE_URL, by every process (the dispatcher signs with the tokens)', () => {
  for (const needsCodeKeys of [true, false]) {
    const found = problems({ DATABASE_URL: PG, CODE_KEYS: KEY }, { needsCodeKeys });
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0] ?? '', /^TOKEN_KEYS is required with DATABASE_URL/);
  }
  assert.deepEqual(problems({ TOKEN_KEYS: 'short' }), ['TOKEN_KEYS: TOKEN_KEYS entries must look like id:secret']);
});

test('without TOKEN_KEYS the SQLite setup generates a token key beside the database, apart from the code key', () => {
  const dir = tmp();
  const c = load({ SQLITE_PATH: join(dir, 'v.db') });
  assert.equal(c.tokenKeyFile, join(dir, 'token-key'));
  assert.equal(c.tokenKeys[0]?.id, 'local');
  assert.equal(statSync(join(dir, 'token-key')).mode & 0o777, 0o600);
  assert.notDeepEqual(c.tokenKeys[0]?.secret, c.codeKeys[0]?.secret, 'a key of its own');
  assert.deepEqual(load({ SQLITE_PATH: join(dir, 'v.db') }).tokenKeys[0]?.secret, c.tokenKeys[0]?.secret, 'kept across starts');
});

test('a process that needs no code keys (the dispatcher) runs without CODE_KEYS and generates none', () => {
  assert.deepEqual(loadConfig({ DATABASE_URL: PG, TOKEN_KEYS: KEY }, { needsCodeKeys: false }).codeKeys, []);
  const dir = tmp();
  assert.deepEqual(loadConfig({ SQLITE_PATH: join(dir, 'v.db') }, { needsCodeKeys: false }).codeKeys, []);
  assert.equal(existsSync(join(dir, 'code-key')), false, 'no key file written');
  assert.throws(() => loadConfig({ DATABASE_URL: PG, CODE_KEYS: 'short', TOKEN_KEYS: KEY }, { needsCodeKeys: false }), /CODE_KEYS entries must look like id:secret/);
});

test('several problems are listed at once', () => {
  const found = problems({ PORT: 'abc', DATABASE_URL: 'mysql://x', CODE_KEYS: 'short', TOKEN_KEYS: KEY, LOG_LEVEL: 'loud', DB_POOL_SIZE: '999', TWILIO_AUTH_TOKEN: 't' });
  assert.equal(found.length, 6, found.join('\n'));
  for (const key of ['PORT', 'DATABASE_URL', 'CODE_KEYS', 'LOG_LEVEL', 'DB_POOL_SIZE', 'TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN']) {
    assert.ok(found.some((p) => p.startsWith(key)), `${key} listed in:\n${found.join('\n')}`);
  }
});

test('empty strings mean "unset"', () => {
  const dir = tmp();
  const c = load({ SQLITE_PATH: join(dir, 'v.db'), PORT: '', HOST: '', DATABASE_URL: '', CODE_KEYS: '', LOG_LEVEL: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '' });
  assert.equal(c.port, 4000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.databaseUrl, null);
  assert.equal(c.codeKeys[0]?.id, 'local');
  assert.equal(c.logLevel, 'info');
  assert.equal(c.bootstrapAccountSid, null);
});
