/**
 * VERIFYD_ENV and file permissions in the real entry points (src/main.ts, src/dispatcher-main.ts,
 * src/cli.ts started as process.test.ts starts them) on temporary SQLite files: development's
 * banner, production's credentials file, warnings and refusals, and the modes of what verifyd
 * creates whatever the umask, with warnings for looser files that were there before.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { accountOn, killAll, signal, spawnEntry, startDispatcher, startVerifyd, type Proc } from '../support/processes.js';

const dirs: string[] = [];
after(() => {
  killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'verifyd-modes-'));
  dirs.push(d);
  return d;
}

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** The JSON log records a process wrote to stdout. */
const logLines = (p: Proc): LogLine[] =>
  p
    .out()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

const INFO = 30;
const WARN = 40;
const mode = (path: string) => statSync(path).mode & 0o777;
const accounts = (sqlitePath: string) => {
  const db = new BetterSqlite3(sqlitePath);
  try {
    return (db.prepare('select count(*) as n from accounts').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

/** The exit code of a process that should refuse to start; if it comes up instead, it is killed and the test fails. */
async function refusal(p: Proc): Promise<number | null> {
  const up = new Promise<'up'>((resolve) => p.child.stdout?.on('data', () => /verifyd listening|event dispatcher running/.test(p.out()) && resolve('up')));
  const outcome = await Promise.race([p.exited, up]);
  if (outcome === 'up') {
    p.child.kill('SIGKILL');
    assert.fail(`it started:\n${p.out()}`);
  }
  return outcome.code;
}

/** Runs `body` with the process umask (inherited by the processes it starts) set to `mask`. */
async function withUmask<T>(mask: number, body: () => Promise<T>): Promise<T> {
  const before = process.umask(mask);
  try {
    return await body();
  } finally {
    process.umask(before);
  }
}

test('development (the default): one banner line says what is on and that it is not for real users; the dispatcher says it too', async () => {
  const SQLITE_PATH = join(tempDir(), 'verifyd.db');
  const server = await startVerifyd({ SQLITE_PATH, NODE_ENV: 'production' });
  try {
    const token = /TWILIO_AUTH_TOKEN=(\S+)/.exec(server.out())?.[1];
    assert.ok(token, 'development still prints generated credentials to stdout');
    const banners = logLines(server).filter((l) => /development mode/.test(l.msg));
    assert.equal(banners.length, 1, server.out());
    const [banner] = banners;
    assert.equal(banner!.level, INFO);
    assert.match(banner!.msg, /not for real users/);
    assert.match(banner!.msg, /inbox provider on/);
    assert.match(banner!.msg, /SNA carrier simulator on/);
    assert.match(banner!.msg, /webhooks to loopback and private networks allowed/);
    assert.ok(!JSON.stringify(banner).includes(token), 'no secret in the banner');
    assert.equal(logLines(server).filter((l) => l.level >= WARN).length, 0, 'no warning in development');
  } finally {
    assert.equal((await signal(server, 'SIGTERM')).code, 0);
  }

  const dispatcher = await startDispatcher({ SQLITE_PATH });
  try {
    assert.equal(logLines(dispatcher).filter((l) => /development mode, not for real users/.test(l.msg)).length, 1, dispatcher.out());
  } finally {
    await signal(dispatcher, 'SIGTERM');
  }
});

test('production: generated credentials go to a new 0600 file whose path is printed, not to stdout', async () => {
  const dir = tempDir();
  const SQLITE_PATH = join(dir, 'data', 'verifyd.db');
  const file = join(dir, 'secrets', 'first-account');
  const env = { VERIFYD_ENV: 'production', SQLITE_PATH, BOOTSTRAP_CREDENTIALS_FILE: file };
  const first = await withUmask(0o022, () => startVerifyd(env));
  let sid: string | undefined;
  let token: string | undefined;
  try {
    assert.ok(first.out().includes(file), `the path is printed:\n${first.out()}`);
    assert.doesNotMatch(first.out(), /TWILIO_AUTH_TOKEN=/, 'no token on stdout');
    assert.equal(mode(file), 0o600);
    const text = readFileSync(file, 'utf8');
    sid = /^TWILIO_ACCOUNT_SID=(AC[0-9a-f]{32})$/m.exec(text)?.[1];
    token = /^TWILIO_AUTH_TOKEN=([0-9a-f]{32})$/m.exec(text)?.[1];
    assert.ok(sid && token, text);
    assert.ok(!first.out().includes(token), 'the token appears nowhere on stdout');
    const svc = await accountOn(first.base, sid, token).client.verify.v2.services.create({ friendlyName: 'Prod' });
    assert.equal(svc.accountSid, sid);
    assert.equal((await fetch(`${first.base}/inbox/messages`, { headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` } })).status, 404);
    assert.deepEqual(logLines(first).filter((l) => l.level >= WARN), [], 'no warning: nothing switched back on, nothing loose');
    assert.equal(logLines(first).filter((l) => /development mode/.test(l.msg)).length, 0, 'no development banner');
  } finally {
    assert.equal((await signal(first, 'SIGTERM')).code, 0);
  }

  // A restart on the same database creates nothing, prints nothing about credentials, leaves the file alone.
  const second = await startVerifyd(env);
  try {
    assert.ok(!second.out().includes(file), second.out());
    assert.equal(readFileSync(file, 'utf8'), `TWILIO_ACCOUNT_SID=${sid}\nTWILIO_AUTH_TOKEN=${token}\n`);
  } finally {
    await signal(second, 'SIGTERM');
  }
});

test('production: an existing credentials file stops a first start, and no account is created', async () => {
  const dir = tempDir();
  const SQLITE_PATH = join(dir, 'verifyd.db');
  const file = join(dir, 'verifyd-credentials');
  writeFileSync(file, 'an earlier first start\n');
  const p = spawnEntry('src/main.ts', { VERIFYD_ENV: 'production', SQLITE_PATH, BOOTSTRAP_CREDENTIALS_FILE: file, PORT: '0' });
  assert.equal(await refusal(p), 1);
  assert.match(p.err(), new RegExp(`BOOTSTRAP_CREDENTIALS_FILE: ${file} exists already`));
  assert.doesNotMatch(p.err(), /\n\s+at /, 'no stack trace');
  assert.equal(readFileSync(file, 'utf8'), 'an earlier first start\n');
  assert.equal(accounts(SQLITE_PATH), 0);
});

test('production refuses a bootstrap auth token that is not 32 hex characters; a bad VERIFYD_ENV stops every entry point', async () => {
  const SQLITE_PATH = join(tempDir(), 'verifyd.db');
  const token = 'a-token-chosen-by-the-operator';
  const server = spawnEntry('src/main.ts', { VERIFYD_ENV: 'production', SQLITE_PATH, PORT: '0', TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`, TWILIO_AUTH_TOKEN: token });
  assert.equal(await refusal(server), 1);
  assert.match(server.err(), /TWILIO_AUTH_TOKEN must be 32 hexadecimal characters in production/);
  assert.ok(!server.err().includes(token) && !server.out().includes(token), 'the token is not echoed');

  for (const [script, args] of [['src/main.ts', []], ['src/dispatcher-main.ts', []], ['src/cli.ts', ['account', 'create']]] as const) {
    const p = spawnEntry(script, { VERIFYD_ENV: 'staging', SQLITE_PATH, PORT: '0' }, [...args]);
    assert.equal(await refusal(p), 1, script);
    assert.match(p.err(), /VERIFYD_ENV must be development or production \(got "staging"\)/, script);
    assert.equal(p.out(), '', script);
  }
});

test('production with INBOX_ENABLED=true and SNA_SIMULATOR=true: a warning for each, and both serve', async () => {
  const dir = tempDir();
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;
  const token = 'fedcba9876543210'.repeat(2);
  const p = await startVerifyd({ VERIFYD_ENV: 'production', SQLITE_PATH: join(dir, 'verifyd.db'), TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token, INBOX_ENABLED: 'true', SNA_SIMULATOR: 'true' });
  try {
    const warnings = logLines(p).filter((l) => l.level === WARN);
    assert.deepEqual(warnings.map((l) => l.setting).sort(), ['INBOX_ENABLED', 'SNA_SIMULATOR'], p.out());
    for (const w of warnings) assert.ok(!JSON.stringify(w).includes(token));
    const { client } = accountOn(p.base, sid, token);
    const svc = await client.verify.v2.services.create({ friendlyName: 'Prod' });
    const v = await client.verify.v2.services(svc.sid).verifications.create({ to: '+15017122661', channel: 'sna' });
    assert.ok((v.sna as { url: string }).url.startsWith(`${p.base}/sna/`));
    const inbox = await fetch(`${p.base}/inbox/messages`, { headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` } });
    assert.equal(inbox.status, 200);
  } finally {
    await signal(p, 'SIGTERM');
  }
});

test('whatever the umask, the data folder verifyd creates is 0700 and its database, WAL, SHM and key files 0600', async () => {
  await withUmask(0, async () => {
    const dir = tempDir();
    // The CLI may be what runs first on a fresh data folder.
    const cliPath = join(dir, 'cli', 'data', 'verifyd.db');
    const cli = spawnEntry('src/cli.ts', { SQLITE_PATH: cliPath }, ['account', 'create']);
    assert.equal((await cli.exited).code, 0, cli.err());
    for (const folder of [join(dir, 'cli'), join(dir, 'cli', 'data')]) assert.equal(mode(folder), 0o700, folder);
    for (const f of ['verifyd.db', 'code-key']) assert.equal(mode(join(dir, 'cli', 'data', f)), 0o600, f);

    const SQLITE_PATH = join(dir, 'server', 'verifyd.db');
    const p = await startVerifyd({ SQLITE_PATH });
    try {
      const sid = /TWILIO_ACCOUNT_SID=(\S+)/.exec(p.out())![1]!;
      const token = /TWILIO_AUTH_TOKEN=(\S+)/.exec(p.out())![1]!;
      const { client } = accountOn(p.base, sid, token);
      const svc = await client.verify.v2.services.create({ friendlyName: 'Umask' });
      await client.verify.v2.services(svc.sid).verifications.create({ to: '+15017122661', channel: 'sms' });
      assert.equal(mode(join(dir, 'server')), 0o700);
      for (const f of ['verifyd.db', 'verifyd.db-wal', 'verifyd.db-shm', 'code-key']) {
        const path = join(dir, 'server', f);
        assert.ok(existsSync(path), `${f} exists`);
        assert.equal(mode(path), 0o600, f);
      }
      assert.deepEqual(logLines(p).filter((l) => l.level >= WARN), [], 'nothing of its own is warned about');
    } finally {
      await signal(p, 'SIGTERM');
    }
  });
});

test('a looser folder or file that was there before is left as it is and named in a warning at start', async () => {
  const dir = join(tempDir(), 'data');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  const SQLITE_PATH = join(dir, 'verifyd.db');
  writeFileSync(SQLITE_PATH, '');
  chmodSync(SQLITE_PATH, 0o644);
  const key = join(dir, 'code-key');
  writeFileSync(key, 'b'.repeat(64));
  chmodSync(key, 0o640);

  const p = await startVerifyd({ SQLITE_PATH });
  try {
    const warned = new Map(logLines(p).filter((l) => l.level === WARN).map((l) => [l.path as string, l]));
    // SQLite gives the WAL and SHM files the database file's mode.
    for (const [path, was] of [[dir, '0755'], [SQLITE_PATH, '0644'], [`${SQLITE_PATH}-wal`, '0644'], [`${SQLITE_PATH}-shm`, '0644'], [key, '0640']] as const) {
      const w = warned.get(path);
      assert.ok(w, `a warning for ${path}:\n${p.out()}`);
      assert.equal(w.mode, was);
      assert.match(w.msg, /readable by other local users/);
    }
    assert.equal(warned.size, 5);
    assert.equal(mode(dir), 0o755, 'left as it was');
    assert.equal(mode(SQLITE_PATH), 0o644, 'left as it was');
  } finally {
    await signal(p, 'SIGTERM');
  }

  const cli = spawnEntry('src/cli.ts', { SQLITE_PATH }, ['account', 'create']);
  assert.equal((await cli.exited).code, 0);
  assert.match(cli.err(), new RegExp(`warning: ${dir} is readable by other local users \\(mode 0755\\)`));
  assert.match(cli.out(), /^TWILIO_ACCOUNT_SID=/, 'stdout still carries only the credentials');
});
