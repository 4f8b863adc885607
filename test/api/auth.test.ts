/**
 * Authentication: every bad credential answers 401 20003 with WWW-Authenticate and changes
 * nothing; every route (and every unknown path, wrong method or malformed URL) requires it; only
 * /healthz and the SNA carrier simulator are public; API keys work as the SDK uses them.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApiKey } from '../../src/accounts/accounts.js';
import { systemClock } from '../../src/domain/clock.js';
import { startServer, type Account, type TestServer } from '../support/server.js';

const TO = '+15017122661';
let server: TestServer;
let a: Account;
let b: Account;
let svc: string;
let ve: string;

before(async () => {
  const s = await startServer('sqlite');
  if ('skip' in s) throw new Error(s.skip);
  server = s;
  a = await server.account();
  b = await server.account();
  svc = (await a.client.verify.v2.services.create({ friendlyName: 'Auth Test' })).sid;
  ve = (await a.client.verify.v2.services(svc).verifications.create({ to: TO, channel: 'sms' })).sid;
});
after(() => server.close());

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const hex32 = (c: string) => c.repeat(32);

async function expect401(res: Response, what: string): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, 401, `${what}: got ${res.status} ${text}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
  assert.deepEqual(JSON.parse(text), { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }, what);
  assert.equal(res.headers.get('www-authenticate'), 'Basic realm="verifyd"', what);
}

/** Every way credentials can be wrong, as Authorization header values (undefined: none sent). */
async function badCredentials(): Promise<Array<[string, string | undefined]>> {
  const keySid = (await createApiKey(server.stores.accounts, systemClock, a.sid)).sid;
  return [
    ['no Authorization', undefined],
    ['empty header', ''],
    ['Bearer scheme', `Bearer ${a.authToken}`],
    ['Digest scheme', `Digest username="${a.sid}"`],
    ['Basic with nothing', 'Basic '],
    ['Basic without space', `Basic${Buffer.from(`${a.sid}:${a.authToken}`).toString('base64')}`],
    ['bad base64', 'Basic !!!not*base64%%%'],
    ['base64 of garbage bytes', `Basic ${Buffer.from([0xff, 0xfe, 0x00, 0x3a]).toString('base64')}`],
    ['no colon', `Basic ${Buffer.from(`${a.sid}${a.authToken}`).toString('base64')}`],
    ['empty user and password', basic('', '')],
    ['right sid, empty token', basic(a.sid, '')],
    ['right sid, wrong token', basic(a.sid, `${a.authToken.slice(0, -1)}x`)],
    ['right sid, token with a suffix', basic(a.sid, `${a.authToken}x`)],
    ['right sid, token upper-cased', basic(a.sid, a.authToken.toUpperCase())],
    ['sid lower-case prefix', basic(`ac${a.sid.slice(2)}`, a.authToken)],
    ['unknown AC', basic(`AC${hex32('0')}`, a.authToken)],
    ['AC too short', basic(a.sid.slice(0, 33), a.authToken)],
    ['unknown SK', basic(`SK${hex32('0')}`, 'secret')],
    ['SK with the wrong secret', basic(keySid, 'not-the-secret')],
    ['SK with the account token', basic(keySid, a.authToken)],
    ["another account's token", basic(a.sid, b.authToken)],
    ['a sid that is neither AC nor SK', basic(`VA${hex32('1')}`, a.authToken)],
    ['two headers joined', `${basic(a.sid, 'x')}, ${basic(a.sid, a.authToken)}`],
  ];
}

test('every kind of bad credential answers 401 20003 with WWW-Authenticate', async () => {
  for (const [what, header] of await badCredentials()) {
    const headers: Record<string, string> = header === undefined ? {} : { authorization: header };
    await expect401(await server.fetch('/v2/Services', { headers }), what);
    await expect401(await server.fetch(`/v2/Services/${svc}`, { method: 'DELETE', headers }), `${what} (DELETE)`);
  }
  // Nothing was deleted by any of them.
  assert.equal((await a.client.verify.v2.services(svc).fetch()).sid, svc);
});

test('the scheme name is case-insensitive (RFC 9110) and right credentials pass', async () => {
  for (const scheme of ['Basic', 'basic', 'BASIC']) {
    const res = await server.fetch(`/v2/Services/${svc}`, { headers: { authorization: `${scheme} ${Buffer.from(`${a.sid}:${a.authToken}`).toString('base64')}` } });
    assert.equal(res.status, 200, scheme);
  }
});

test('every route, unknown path, wrong method and malformed URL requires authentication', async () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const requests: Array<[string, string, string?]> = [
    ['POST', '/v2/Services', 'FriendlyName=Intruder'],
    ['GET', '/v2/Services'],
    ['GET', `/v2/Services/${svc}`],
    ['POST', `/v2/Services/${svc}`, 'FriendlyName=Hijacked'],
    ['DELETE', `/v2/Services/${svc}`],
    ['POST', `/v2/Services/${svc}/Verifications`, `To=${encodeURIComponent('+15017122662')}&Channel=sms`],
    ['GET', `/v2/Services/${svc}/Verifications/${ve}`],
    ['GET', `/v2/Services/${svc}/Verifications/${encodeURIComponent(TO)}`],
    ['POST', `/v2/Services/${svc}/Verifications/${ve}`, 'Status=canceled'],
    ['POST', `/v2/Services/${svc}/VerificationCheck`, `To=${encodeURIComponent(TO)}&Code=123456`],
    ['GET', '/inbox/messages'],
    ['GET', `/inbox/messages?To=${encodeURIComponent(TO)}`],
    // Unknown paths and wrong methods must not reveal which paths or methods exist.
    ['GET', '/'],
    ['GET', '/v2/Nope'],
    ['GET', `/v2/Services/VA${hex32('0')}`],
    ['PUT', '/v2/Services'],
    ['PATCH', `/v2/Services/${svc}`],
    ['OPTIONS', '/v2/Services'],
    ['GET', `/v2/Services/${svc}/Verifications`],
    ['GET', '/healthz/extra'],
    ['GET', '/sna'],
    ['GET', `/v2/Services/${svc}/Verifications/%ZZ`],
    ['GET', `/v2/Services/${svc}/Verifications/${'9'.repeat(300)}`],
    ['POST', '/v2/Services', '{"json":true}'],
  ];
  for (const [what, header] of [['none', undefined], ['wrong token', basic(a.sid, 'wrong')]] as const) {
    for (const [method, path, body] of requests) {
      const headers: Record<string, string> = body ? { ...form } : {};
      if (header) headers.authorization = header;
      if (body?.startsWith('{')) headers['content-type'] = 'application/json';
      await expect401(await server.fetch(path, { method, headers, body }), `${method} ${path} (${what})`);
    }
  }
  // None of them did anything.
  const list = await a.client.verify.v2.services.list();
  assert.deepEqual(list.map((s) => [s.sid, s.friendlyName]), [[svc, 'Auth Test']]);
  const v = await a.client.verify.v2.services(svc).verifications(ve).fetch();
  assert.equal(v.status, 'pending');
  assert.equal(v.sendCodeAttempts.length, 1);
});

test('/healthz and /sna/{token} are public by design', async () => {
  const health = await server.fetch('/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });

  const bogus = await server.fetch('/sna/not-a-token');
  assert.equal(bogus.status, 200);
  assert.match(await bogus.text(), /^ErrorCode=60520&/);

  const sna = await a.client.verify.v2.services(svc).verifications.create({ to: '+15017122663', channel: 'sna' });
  const url = (sna.sna as { url: string }).url;
  assert.ok(url.startsWith(`${server.baseUrl}/sna/`), url);
  const invoked = await fetch(url, { method: 'POST' });
  assert.equal(invoked.status, 200);
  assert.match(await invoked.text(), /^ErrorCode=0&/);
});

test('API keys authenticate as their account, and only their account', async () => {
  const key = await server.apiKeyClient(a.sid);
  const created = await key.verify.v2.services.create({ friendlyName: 'Via Key' });
  assert.equal(created.accountSid, a.sid);
  const sids = (await key.verify.v2.services.list()).map((s) => s.sid);
  assert.ok(sids.includes(svc) && sids.includes(created.sid));
  const fetched = await key.verify.v2.services(svc).verifications(ve).fetch();
  assert.equal(fetched.sid, ve);

  // A key of account B sees none of A's resources, and passing A's sid as accountSid changes nothing.
  const other = await server.apiKeyClient(b.sid);
  assert.deepEqual(await other.verify.v2.services.list(), []);
  await assert.rejects(other.verify.v2.services(svc).fetch(), (err: { status?: number; code?: number }) => err.status === 404 && err.code === 20404);
  const bKey = await createApiKey(server.stores.accounts, systemClock, b.sid);
  const sneaky = await server.fetch(`/v2/Services/${svc}`, { auth: { user: bKey.sid, pass: a.authToken } });
  await expect401(sneaky, "B's key with A's token");
});

test("one account's token does not open another account's resources", async () => {
  await assert.rejects(b.client.verify.v2.services(svc).fetch(), (err: { status?: number }) => err.status === 404);
  await assert.rejects(
    b.client.verify.v2.services(svc).verificationChecks.create({ to: TO, code: '123456' }),
    (err: { status?: number }) => err.status === 404,
  );
  assert.equal((await a.client.verify.v2.services(svc).verifications(ve).fetch()).status, 'pending');
});
