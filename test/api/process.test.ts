/**
 * The real server process, started as `npm start` does (node --import tsx src/main.ts) on a temp
 * SQLite file: first-start credentials, TWILIO_* bootstrap, bad configuration, signals, the CLI.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { freePort } from '../../scripts/free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { LocalRequestClient } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
const running = new Set<ChildProcess>();
after(() => {
  for (const p of running) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'verifyd-proc-'));
  dirs.push(d);
  return join(d, 'verifyd.db');
}

/** Only what the test passes: no TWILIO_*, DATABASE_URL or test-runner variables leak in. */
const cleanEnv = (env: Record<string, string>) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env });

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}

function run(script: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (running.delete(child), resolve(code))));
  return { child, out: () => out, err: () => err, exited };
}

/** Starts src/main.ts and waits until /healthz answers. */
async function startMain(env: Record<string, string>): Promise<Proc & { base: string }> {
  const port = await freePort();
  const p = run('src/main.ts', [], { PORT: String(port), ...env });
  const base = `http://127.0.0.1:${port}`;
  let exited = false;
  void p.exited.then(() => (exited = true));
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (exited) throw new Error(`server exited early:\n${p.err()}\n${p.out()}`);
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { ...p, base };
    await new Promise((r) => setTimeout(r, 100));
  }
  p.child.kill('SIGKILL');
  throw new Error(`server did not become ready:\n${p.err()}`);
}

async function stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
  p.child.kill(signal);
  return p.exited;
}

const sdk = (base: string, user: string, pass: string, accountSid?: string) =>
  twilio(user, pass, { accountSid, httpClient: new LocalRequestClient(base), autoRetry: false });

async function inboxCode(base: string, user: string, pass: string, to: string): Promise<string> {
  const res = await fetch(`${base}/inbox/messages?To=${encodeURIComponent(to)}&PageSize=1`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } });
  assert.equal(res.status, 200);
  const m = ((await res.json()) as { messages: Array<{ code: string }> }).messages[0];
  assert.ok(m, `inbox message for ${to}`);
  return m.code;
}

const credentials = (out: string) => ({
  sid: /^ {2}TWILIO_ACCOUNT_SID=(AC[0-9a-f]{32})$/m.exec(out)?.[1],
  token: /^ {2}TWILIO_AUTH_TOKEN=(\S+)$/m.exec(out)?.[1],
  count: out.split('TWILIO_AUTH_TOKEN=').length - 1,
});

test('first start prints generated credentials once; they work; a restart does not print them', async () => {
  const SQLITE_PATH = tempDb();
  const first = await startMain({ SQLITE_PATH });
  const { sid, token, count } = credentials(first.out());
  assert.ok(sid && token, `credentials on stdout:\n${first.out()}`);
  assert.equal(count, 1);
  // Printed as text, never inside a JSON log record.
  for (const line of first.out().split('\n').filter((l) => l.startsWith('{'))) assert.ok(!line.includes(token), `log line has the token: ${line}`);

  const client = sdk(first.base, sid, token);
  const svc = await client.verify.v2.services.create({ friendlyName: 'Process Test' });
  const to = '+15017122661';
  await client.verify.v2.services(svc.sid).verifications.create({ to, channel: 'sms' });
  const code = await inboxCode(first.base, sid, token, to);
  assert.equal(await stop(first), 0, `exit code after SIGTERM; stderr:\n${first.err()}`);

  // Same file: no new account, nothing printed, the old credentials and the pending code still work.
  const second = await startMain({ SQLITE_PATH });
  assert.equal(credentials(second.out()).count, 0, second.out());
  const again = sdk(second.base, sid, token);
  assert.equal((await again.verify.v2.services(svc.sid).fetch()).friendlyName, 'Process Test');
  const check = await again.verify.v2.services(svc.sid).verificationChecks.create({ to, code });
  assert.equal(check.status, 'approved', 'the code key survived the restart');
  assert.equal(await stop(second, 'SIGINT'), 0, 'SIGINT also exits 0');
});

test('TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN become the account; nothing is printed', async () => {
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;
  const token = 'a-token-chosen-by-the-operator';
  const p = await startMain({ SQLITE_PATH: tempDb(), TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token });
  try {
    assert.equal(credentials(p.out()).count, 0);
    const svc = await sdk(p.base, sid, token).verify.v2.services.create({ friendlyName: 'Env Account' });
    assert.equal(svc.accountSid, sid);
    const wrong = await fetch(`${p.base}/v2/Services`, { headers: { authorization: `Basic ${Buffer.from(`${sid}:nope`).toString('base64')}` } });
    assert.equal(wrong.status, 401);
  } finally {
    assert.equal(await stop(p), 0);
  }
});

test('a bad configuration exits non-zero listing every problem, without a stack trace', async () => {
  const p = run('src/main.ts', [], { SQLITE_PATH: tempDb(), PORT: 'abc', DATABASE_URL: 'mysql://x', CODE_KEYS: 'short', LOG_LEVEL: 'loud' });
  const code = await p.exited;
  assert.notEqual(code, 0);
  const err = p.err();
  assert.match(err, /invalid configuration/);
  assert.match(err, /PORT must be an integer/);
  assert.match(err, /DATABASE_URL must start with postgres/);
  assert.match(err, /CODE_KEYS: CODE_KEYS entries must look like id:secret/);
  assert.match(err, /LOG_LEVEL must be one of/);
  assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  assert.equal(p.out(), '');
});

test('a port another process holds: one line naming the address and EADDRINUSE, exit 1, no stack trace', async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as AddressInfo).port;
  try {
    const p = run('src/main.ts', [], { SQLITE_PATH: tempDb(), PORT: String(port) });
    assert.equal(await p.exited, 1);
    const err = p.err();
    assert.match(err, new RegExp(`^verifyd cannot listen on 127\\.0\\.0\\.1:${port}: another process is listening there \\(EADDRINUSE\\)\\. `));
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  } finally {
    await new Promise((resolve) => holder.close(resolve));
  }
});

test('the CLI creates accounts and API keys that work against the running server', async () => {
  const SQLITE_PATH = tempDb();
  const server = await startMain({ SQLITE_PATH });
  try {
    const acct = run('src/cli.ts', ['account', 'create', '--name', 'Team B'], { SQLITE_PATH });
    assert.equal(await acct.exited, 0, acct.err());
    const sid = /^TWILIO_ACCOUNT_SID=(AC[0-9a-f]{32})$/m.exec(acct.out())?.[1];
    const token = /^TWILIO_AUTH_TOKEN=(\S+)$/m.exec(acct.out())?.[1];
    assert.ok(sid && token, acct.out());
    const svc = await sdk(server.base, sid, token).verify.v2.services.create({ friendlyName: 'Team B' });
    assert.equal(svc.accountSid, sid);

    const key = run('src/cli.ts', ['api-key', 'create', '--account', sid], { SQLITE_PATH });
    assert.equal(await key.exited, 0, key.err());
    const keySid = /^API_KEY_SID=(SK[0-9a-f]{32})$/m.exec(key.out())?.[1];
    const secret = /^API_KEY_SECRET=(\S+)$/m.exec(key.out())?.[1];
    assert.ok(keySid && secret, key.out());
    const viaKey = sdk(server.base, keySid, secret, sid);
    assert.deepEqual((await viaKey.verify.v2.services.list()).map((s) => s.sid), [svc.sid]);

    const unknown = run('src/cli.ts', ['api-key', 'create', '--account', `AC${'f'.repeat(32)}`], { SQLITE_PATH });
    assert.equal(await unknown.exited, 1);
    assert.match(unknown.err(), /unknown account/);
    const usage = run('src/cli.ts', ['frobnicate'], { SQLITE_PATH });
    assert.equal(await usage.exited, 2);
    assert.match(usage.err(), /usage:/);
  } finally {
    assert.equal(await stop(server), 0);
  }
});
