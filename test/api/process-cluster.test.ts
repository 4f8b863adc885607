/**
 * Two real server processes on one PostgreSQL database (DATABASE_URL + the same CODE_KEYS), started
 * at the same moment on a fresh database (so their migrations and account bootstrap race), behave
 * as one: what is started on node A is fetched, delivered and checked on node B, and back.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../scripts/free-port.js';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import twilio from 'twilio';
import { createPostgresDatabase } from '../support/databases.js';
import { LocalRequestClient } from '../support/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const running = new Set<ChildProcess>();
after(() => {
  for (const p of running) p.kill('SIGKILL');
});

interface Node {
  base: string;
  child: ChildProcess;
  err: () => string;
  exited: Promise<number | null>;
}

async function startNode(env: Record<string, string>): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  running.add(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => ((done = true), running.delete(child), resolve(code))));
  const base = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    if (done) throw new Error(`node exited early:\n${err}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return { base, child, err: () => err, exited };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node did not become ready:\n${err}`);
}

test('two server processes on one PostgreSQL database behave as one', async (t) => {
  const db = await createPostgresDatabase();
  if ('skip' in db) {
    t.skip(db.skip);
    return;
  }
  const sid = `AC${randomBytes(16).toString('hex')}`;
  const token = randomBytes(16).toString('hex');
  const env = {
    DATABASE_URL: db.url,
    CODE_KEYS: `k1:${randomBytes(32).toString('hex')}`,
    TOKEN_KEYS: `t1:${randomBytes(32).toString('hex')}`,
    TWILIO_ACCOUNT_SID: sid,
    TWILIO_AUTH_TOKEN: token,
    DB_POOL_SIZE: '4',
  };
  const nodes: Node[] = [];
  try {
    // Started together on an empty database: migrations and the account bootstrap run concurrently.
    nodes.push(...(await Promise.all([startNode(env), startNode(env)])));
    const [a, b] = nodes as [Node, Node];
    const client = (n: Node) => twilio(sid, token, { httpClient: new LocalRequestClient(n.base), autoRetry: false });
    const viaA = client(a);
    const viaB = client(b);
    const inbox = async (n: Node, to: string) => {
      const res = await fetch(`${n.base}/inbox/messages?To=${encodeURIComponent(to)}`, { headers: { authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` } });
      assert.equal(res.status, 200);
      return ((await res.json()) as { messages: Array<{ code: string; verification_sid: string }> }).messages;
    };

    const svc = await viaA.verify.v2.services.create({ friendlyName: 'Cluster' });
    assert.equal((await viaB.verify.v2.services(svc.sid).fetch()).friendlyName, 'Cluster');
    assert.deepEqual((await viaB.verify.v2.services.list()).map((s) => s.sid), [svc.sid]);

    // Started on A; fetched, read from the inbox and checked on B.
    const to = '+15017122661';
    const v = await viaA.verify.v2.services(svc.sid).verifications.create({ to, channel: 'sms' });
    assert.equal((await viaB.verify.v2.services(svc.sid).verifications(v.sid).fetch()).status, 'pending');
    const messages = await inbox(b, to);
    assert.equal(messages.length, 1);
    assert.equal(messages[0]?.verification_sid, v.sid);
    const code = messages[0]?.code ?? '';
    const wrong = code === '000000' ? '111111' : '000000';
    assert.equal((await viaB.verify.v2.services(svc.sid).verificationChecks.create({ to, code: wrong })).status, 'pending');
    assert.equal((await viaB.verify.v2.services(svc.sid).verificationChecks.create({ to, code })).status, 'approved');
    // Approved on B is gone on A too.
    await assert.rejects(viaA.verify.v2.services(svc.sid).verifications(v.sid).fetch(), (e: { status?: number }) => e.status === 404);

    // And the other way round, with a resend on B that repeats A's code.
    const to2 = '+15017122662';
    await viaB.verify.v2.services(svc.sid).verifications.create({ to: to2, channel: 'sms' });
    await viaA.verify.v2.services(svc.sid).verifications.create({ to: to2, channel: 'sms' });
    const sent = await inbox(a, to2);
    assert.equal(sent.length, 2);
    assert.equal(sent[0]?.code, sent[1]?.code, 'the resend on the other node repeats the code (same CODE_KEYS)');
    assert.equal((await viaA.verify.v2.services(svc.sid).verificationChecks.create({ to: to2, code: sent[0]?.code ?? '' })).status, 'approved');

    for (const n of nodes) {
      n.child.kill('SIGTERM');
      assert.equal(await n.exited, 0, n.err());
    }
  } finally {
    for (const n of nodes) n.child.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.exited));
    await db.drop();
  }
});
