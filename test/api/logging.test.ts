/**
 * What reaches the log. The app is built with a captured pino destination at `debug` (per-request
 * lines on), a full flow runs through the official SDK, and the captured text must hold no code,
 * auth token, API key secret, Authorization value, SNA URL or client token, or PSD2 payee/amount.
 * A forced 500 must reach the client as bare 20500 JSON and the log with its error.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { createAccount, createApiKey } from '../../src/accounts/accounts.js';
import { systemClock } from '../../src/domain/clock.js';
import { sqliteStore, type OpenedStore } from '../support/databases.js';
import { composeForTest, LocalRequestClient } from '../support/server.js';

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});
const logText = () => lines.join('\n');

let opened: OpenedStore;
let composed: Awaited<ReturnType<typeof composeForTest>>;
let app: FastifyInstance;
let base: string;

before(async () => {
  opened = await sqliteStore();
  const { stores } = opened;
  composed = await composeForTest({}, { LOG_LEVEL: 'debug' }, { stores, logStream: capture });
  app = composed.app;
  // For the 500 test: authentication needs the store, so it is closed only after auth has passed.
  app.addHook('preHandler', async (req) => {
    if (req.headers['x-break-store'] === '1') await stores.close();
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = composed.config.publicBaseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
after(async () => {
  await composed.close();
  await opened.cleanup().catch(() => undefined); // the store may already be closed by the 500 test
});

const client = (user: string, pass: string, accountSid?: string) =>
  twilio(user, pass, { accountSid, httpClient: new LocalRequestClient(base), autoRetry: false });
const basicOf = (user: string, pass: string) => Buffer.from(`${user}:${pass}`).toString('base64');

async function inbox(user: string, pass: string, to: string): Promise<{ code: string }> {
  const res = await fetch(`${base}/inbox/messages?To=${encodeURIComponent(to)}&PageSize=1`, { headers: { authorization: `Basic ${basicOf(user, pass)}` } });
  const body = (await res.json()) as { messages: Array<{ code: string }> };
  assert.ok(body.messages[0], `an inbox message for ${to}`);
  return body.messages[0];
}

test('a full flow at debug level logs requests but no secret', async () => {
  const { stores } = opened;
  const account = await createAccount(stores.accounts, systemClock);
  const key = await createApiKey(stores.accounts, systemClock, account.sid);
  const byToken = client(account.sid, account.authToken);
  const byKey = client(key.sid, key.secret, account.sid);
  const secrets: Record<string, string> = {
    'auth token': account.authToken,
    'API key secret': key.secret,
    'Authorization (token)': basicOf(account.sid, account.authToken),
    'Authorization (key)': basicOf(key.sid, key.secret),
  };
  const codes: string[] = [];

  const svc = await byToken.verify.v2.services.create({ friendlyName: 'Log Test' });
  const to = '+15017122661';
  const v = await byKey.verify.v2.services(svc.sid).verifications.create({ to, channel: 'sms' });
  const { code } = await inbox(account.sid, account.authToken, to);
  codes.push(code);
  const wrong = code === '000000' ? '111111' : '000000';
  assert.equal((await byKey.verify.v2.services(svc.sid).verificationChecks.create({ to, code: wrong })).status, 'pending');
  // A code sent in the query string of a POST (read like the body) is masked in the logged URL.
  const viaQuery = await fetch(`${base}/v2/Services/${svc.sid}/VerificationCheck?Code=${code}&To=${encodeURIComponent(to)}`, {
    method: 'POST',
    headers: { authorization: `Basic ${basicOf(account.sid, account.authToken)}` },
  });
  assert.equal(viaQuery.status, 200);
  assert.equal(((await viaQuery.json()) as { status: string }).status, 'approved');
  void v;

  const email = 'log.test@example.com';
  await byToken.verify.v2.services(svc.sid).verifications.create({ to: email, channel: 'email' });
  const emailCode = (await inbox(key.sid, key.secret, email)).code;
  codes.push(emailCode);
  assert.equal((await byToken.verify.v2.services(svc.sid).verificationChecks.create({ to: email, code: emailCode })).status, 'approved');

  const psd2 = await byToken.verify.v2.services.create({ friendlyName: 'Log PSD2', psd2Enabled: true });
  const amount = '9731.42';
  const payee = 'Zyxwv Payee Ltd';
  secrets.amount = amount;
  secrets.payee = payee;
  const psd2To = '+15017122662';
  await byToken.verify.v2.services(psd2.sid).verifications.create({ to: psd2To, channel: 'sms', amount, payee });
  const psd2Code = (await inbox(account.sid, account.authToken, psd2To)).code;
  codes.push(psd2Code);
  const psd2Check = await byToken.verify.v2.services(psd2.sid).verificationChecks.create({ to: psd2To, code: psd2Code, amount, payee });
  assert.equal(psd2Check.status, 'approved');

  const snaTo = '+15017122663';
  const sna = await byToken.verify.v2.services(svc.sid).verifications.create({ to: snaTo, channel: 'sna' });
  const snaUrl = (sna.sna as { url: string }).url;
  const snaToken = snaUrl.slice(snaUrl.lastIndexOf('/') + 1);
  secrets['SNA URL token'] = snaToken;
  const invoked = new URLSearchParams(await (await fetch(snaUrl)).text());
  assert.equal(invoked.get('ErrorCode'), '0');
  const clientToken = invoked.get('SnaClientToken') ?? '';
  assert.ok(clientToken.length > 8);
  secrets['SNA client token'] = clientToken;
  await byToken.verify.v2.services(svc.sid).verificationChecks.create({ to: snaTo, snaClientToken: clientToken } as never).catch(() => undefined);

  // A form posted from another site with the browser's cached credentials: refused, none of them logged.
  const forged = await fetch(`${base}/v2/Services`, {
    method: 'POST',
    headers: { origin: 'https://evil.example', authorization: `Basic ${basicOf(key.sid, key.secret)}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'FriendlyName=Forged',
  });
  assert.equal(forged.status, 403);

  await new Promise((r) => setImmediate(r));
  const text = logText();
  // The log is real: JSON lines, one per request event, with masked URLs.
  for (const line of lines) JSON.parse(line);
  assert.ok(lines.length > 20, `expected per-request lines at debug, got ${lines.length}`);
  assert.match(text, /"url":"\/sna\/\[redacted\]"/);
  assert.match(text, /"url":"\/v2\/Services\/VA[0-9a-f]{32}\/VerificationCheck\?Code=\[redacted\]&To=%2B15017122661"/);

  for (const [what, secret] of Object.entries(secrets)) {
    assert.ok(secret.length >= 6, what);
    assert.ok(!text.includes(secret), `the log contains the ${what}`);
  }
  for (const c of codes) assert.doesNotMatch(text, new RegExp(`(?<![0-9])${c}(?![0-9])`), `the log contains the code ${c}`);
  assert.doesNotMatch(text, /authorization":"Basic/i);
});

test('a failure inside a handler answers bare 20500 JSON and logs the error', async () => {
  const { stores } = opened;
  const account = await createAccount(stores.accounts, systemClock);
  const auth = `Basic ${basicOf(account.sid, account.authToken)}`;
  const before = lines.length;
  const res = await fetch(`${base}/v2/Services`, { headers: { authorization: auth, 'x-break-store': '1' } });
  const text = await res.text();
  assert.equal(res.status, 500);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(JSON.parse(text), { code: 20500, message: 'Internal server error', more_info: 'https://www.twilio.com/docs/errors/20500', status: 500 });
  assert.doesNotMatch(text, /stack|\bat |\.ts|sqlite|database/i);

  const logged = lines.slice(before).map((l) => JSON.parse(l) as { level: number; msg: string; err?: { message?: string; stack?: string } });
  const failure = logged.find((l) => l.msg === 'request failed');
  assert.ok(failure, `the failure is logged: ${lines.slice(before).join('\n')}`);
  assert.equal(failure.level, 50);
  assert.ok(failure.err?.message && failure.err.stack, 'the log entry carries the error and its stack');
  assert.ok(!lines.slice(before).join('\n').includes(account.authToken));
});
