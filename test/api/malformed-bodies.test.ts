/**
 * Malformed input on every route, as raw HTTP: missing and bad parameters, wrong content types,
 * broken form bodies, oversized bodies, query strings on POST, unicode/emoji/NUL. Every answer is
 * Twilio's error JSON (never a 500, never a stack), and after every bad request a sentinel service
 * and its pending verification fetch back byte-identical; at the end the sentinel's code still checks.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SENTINEL_TO, bodyRoutes, startSentinel, type Init, type Sentinel } from '../support/sentinel.js';
import type { Account, TestServer } from '../support/server.js';

const FORM = 'application/x-www-form-urlencoded';
const TO = SENTINEL_TO;
let sentinel: Sentinel;
let server: TestServer;
let acct: Account;
let svc: string;
let ve: string;
let baseline: string;

before(async () => {
  sentinel = await startSentinel();
  ({ server, acct, svc, ve, baseline } = sentinel);
});
after(() => server.close());

const send = (method: string, path: string, init: Init = {}) => sentinel.send(method, path, init);
const form = (body: string, extra: Init = {}): Init => ({ body, headers: { 'content-type': FORM }, ...extra });
const snapshot = () => sentinel.snapshot();

/** The exact Twilio error shape, no internals, and the sentinel untouched. */
async function expectError(res: Response, status: number, code: number, what: string, message?: RegExp): Promise<void> {
  const text = await res.text();
  assert.equal(res.status, status, `${what}: got HTTP ${res.status} ${text}`);
  assert.notEqual(res.status, 500, what);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, `${what}: content-type`);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status'], `${what}: ${text}`);
  assert.equal(body.code, code, `${what}: ${text}`);
  assert.equal(body.status, status, what);
  assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${code}`, what);
  assert.equal(typeof body.message, 'string', what);
  if (message) assert.match(body.message as string, message, what);
  assert.doesNotMatch(text, /node_modules|\.ts:\d+|\bat [\w.]+ \(|SQLITE|sqlite|syntax error|Error:/, `${what}: leaks internals`);
  assert.equal(await snapshot(), baseline, `${what}: the sentinel changed`);
}

const bad = async (method: string, path: string, init: Init, status: number, code: number, message?: RegExp) =>
  expectError(await send(method, path, init), status, code, `${method} ${path.slice(0, 80)} ${String(init.body ?? '').slice(0, 60)}`, message);

test('missing required parameters and bad values answer 60200 naming the parameter', async () => {
  const V = `/v2/Services/${svc}/Verifications`;
  const cases: Array<[string, string, string, number, number, RegExp]> = [
    ['POST', '/v2/Services', '', 400, 60200, /FriendlyName/],
    ['POST', '/v2/Services', 'FriendlyName=%20%20', 400, 60200, /FriendlyName/],
    ['POST', '/v2/Services', `FriendlyName=${'a'.repeat(31)}`, 400, 60200, /FriendlyName is too long/],
    ['POST', '/v2/Services', 'FriendlyName=ok&CodeLength=abc', 400, 60200, /CodeLength/],
    ['POST', '/v2/Services', 'FriendlyName=ok&CodeLength=3', 400, 60200, /CodeLength/],
    ['POST', '/v2/Services', 'FriendlyName=ok&CodeLength=99999999999', 400, 60200, /CodeLength/],
    ['POST', '/v2/Services', 'FriendlyName=ok&LookupEnabled=yes', 400, 60200, /LookupEnabled/],
    ['POST', '/v2/Services', 'FriendlyName=ok&DefaultTemplateSid=XX123', 400, 60200, /DefaultTemplateSid/],
    // An update with one bad value must not apply the good ones either (the snapshot proves it).
    ['POST', `/v2/Services/${svc}`, 'FriendlyName=Renamed&CodeLength=11', 400, 60200, /CodeLength/],
    ['POST', `/v2/Services/${svc}`, 'FriendlyName=Renamed&Psd2Enabled=1', 400, 60200, /Psd2Enabled/],
    ['POST', V, '', 400, 60200, /To/],
    ['POST', V, `To=${encodeURIComponent(TO)}`, 400, 60200, /Channel/],
    ['POST', V, `To=${encodeURIComponent(TO)}&Channel=pigeon`, 400, 60200, /Channel/],
    ['POST', V, 'To=12345&Channel=sms', 400, 60200, /To/],
    ['POST', V, 'To=not-an-email&Channel=email', 400, 60200, /To/],
    ['POST', V, `To=${encodeURIComponent(TO)}&Channel=sms&DeviceIp=999.1.1.1`, 400, 60200, /DeviceIp/],
    ['POST', V, `To=${encodeURIComponent(TO)}&Channel=sms&Tags=%7Bbroken`, 400, 60200, /Tags/],
    ['POST', V, `To=${encodeURIComponent(TO)}&Channel=sms&Locale=xx-ZZ`, 400, 60200, /Locale/],
    ['POST', V, `To=${encodeURIComponent(TO)}&Channel=sms&EnableSnaClientToken=maybe`, 400, 60200, /EnableSnaClientToken/],
    ['POST', V, `To=${encodeURIComponent(TO)}&Channel=sms&CustomCode=1234`, 403, 60204, /not support/],
    ['POST', `${V}/${ve}`, '', 400, 60200, /Status/],
    ['POST', `${V}/${ve}`, 'Status=pending', 400, 60200, /Status/],
    ['POST', `/v2/Services/${svc}/VerificationCheck`, '', 400, 60221, /To or VerificationSid/],
    ['POST', `/v2/Services/${svc}/VerificationCheck`, `To=${encodeURIComponent(TO)}`, 400, 60200, /Code/],
    ['POST', `/v2/Services/${svc}/VerificationCheck`, `To=${encodeURIComponent(TO)}&Code=12`, 400, 60200, /Code/],
    ['POST', `/v2/Services/${svc}/VerificationCheck`, `To=${encodeURIComponent(TO)}&Code=${'1'.repeat(11)}`, 400, 60200, /Code/],
    ['POST', `/v2/Services/${svc}/VerificationCheck`, 'VerificationSid=VE123&Code=123456', 400, 60200, /VerificationSid/],
  ];
  for (const [method, path, body, status, code, message] of cases) await bad(method, path, form(body), status, code, message);
  for (const q of ['PageSize=0', 'PageSize=1001', 'PageSize=abc', 'Page=-1', 'PageToken=garbage', 'PageToken=PAAAAA']) {
    await bad('GET', `/v2/Services?${q}`, {}, 400, 60200, new RegExp(q.split('=')[0] as string));
  }
  for (const q of ['PageSize=0', 'PageSize=x']) await bad('GET', `/inbox/messages?${q}`, {}, 400, 60200, /PageSize/);
});

test('bodies that are not form-encoded answer 415 with code 400, on every route that takes a body', async () => {
  const multipart = () => {
    const f = new FormData();
    f.set('FriendlyName', 'x');
    return f;
  };
  const bodies: Array<[string, () => Init]> = [
    ['json', () => ({ body: '{"FriendlyName":"x","To":"+15017122661","Channel":"sms"}', headers: { 'content-type': 'application/json' } })],
    ['text/plain', () => ({ body: 'FriendlyName=x', headers: { 'content-type': 'text/plain' } })],
    ['multipart', () => ({ body: multipart() })],
    ['no content-type', () => ({ body: new Uint8Array(Buffer.from('FriendlyName=x')) })],
    ['garbage content-type', () => ({ body: 'FriendlyName=x', headers: { 'content-type': 'no/such; ;;' } })],
    ['xml', () => ({ body: '<x/>', headers: { 'content-type': 'application/xml' } })],
  ];
  const routes = bodyRoutes(svc, ve);
  for (const [method, path] of routes) {
    for (const [, init] of bodies) await bad(method, path, init(), 415, 400, /Content-Type/);
  }
  // A charset parameter or upper case is still a form body.
  const ok = await send('POST', '/v2/Services', { body: 'FriendlyName=Charset', headers: { 'content-type': `${FORM.toUpperCase()}; charset=utf-8` } });
  assert.equal(ok.status, 201);
});

test('broken form bodies: bad percent-encoding, repeated keys, odd keys', async () => {
  const V = `/v2/Services/${svc}/Verifications`;
  await bad('POST', V, form('To=%ZZ&Channel=sms'), 400, 60200, /To/);
  await bad('POST', V, form('To=%E2%82&Channel=sms'), 400, 60200, /To/);
  await bad('POST', V, form(`To=${encodeURIComponent(TO)}&Channel=sms%'`), 400, 60200, /Channel/);
  await bad('POST', '/v2/Services', form('FriendlyName=%ZZ'), 400, 60200, /FriendlyName/);
  await bad('POST', `/v2/Services/${svc}/VerificationCheck`, form(`To=${encodeURIComponent(TO)}&Code=%ZZ`), 400, 60200, /Code/);
  // ~60 KB of one repeated key (under the limit): the first value is used, as Twilio does.
  await bad('POST', V, form(`${'Channel=pigeon&'.repeat(4000)}To=${encodeURIComponent(TO)}`), 400, 60200, /Channel/);
  await bad('POST', V, form('=&&&=x&%00=1&Channel'), 400, 60200, /To/);
  const many = await send('POST', '/v2/Services', form(`${'FriendlyName=Repeated&'.repeat(2500)}a[b][c]=1&__proto__=x&constructor=y`));
  assert.equal(many.status, 201);
  assert.equal(((await many.json()) as { friendly_name: string }).friendly_name, 'Repeated');
  assert.equal(await snapshot(), baseline);
});

test('bodies over 64 KiB answer 413 code 20413 on every route that takes a body', async () => {
  const huge = `FriendlyName=x&Pad=${'a'.repeat(65_536)}`;
  for (const [method, path] of bodyRoutes(svc, ve)) {
    await bad(method, path, form(huge), 413, 20413, /too large/);
    // The content type is judged before the body is read: a huge JSON body is a 415.
    await bad(method, path, { body: huge, headers: { 'content-type': 'application/json' } }, 415, 400);
  }
});

test('query strings on POST are read like the body, the body winning; junk in them is harmless', async () => {
  const res = await send('POST', '/v2/Services?FriendlyName=FromQuery&x=%ZZ&&=', form('FriendlyName=FromBody'));
  assert.equal(res.status, 201);
  assert.equal(((await res.json()) as { friendly_name: string }).friendly_name, 'FromBody');
  await bad('POST', `/v2/Services/${svc}?CodeLength=42`, form('FriendlyName=Renamed'), 400, 60200, /CodeLength/);
  await bad('POST', `/v2/Services/${svc}/Verifications?Channel=pigeon`, form(`To=${encodeURIComponent(TO)}`), 400, 60200, /Channel/);
  await bad('POST', `/v2/Services/${svc}/VerificationCheck?Code=%00%00%00%00`, form(`To=${encodeURIComponent(TO)}`), 400, 60200, /Code/);
  await bad('DELETE', `/v2/Services/${svc}?Force=true`, { body: '{}', headers: { 'content-type': 'application/json' } }, 415, 400);
});

test('unicode, emoji and NUL in parameters and paths', async () => {
  const V = `/v2/Services/${svc}/Verifications`;
  const enc = encodeURIComponent;
  await bad('POST', '/v2/Services', form(`FriendlyName=${enc('😀 party')}`), 400, 60200, /FriendlyName/);
  await bad('POST', '/v2/Services', form(`FriendlyName=${enc('a\u0000b')}`), 400, 60200, /FriendlyName/);
  await bad('POST', `/v2/Services/${svc}`, form(`FriendlyName=Ok&TtsName=${enc('x\u0000')}`), 400, 60200, /TtsName/);
  await bad('POST', V, form(`To=${enc(`${TO}\u0000`)}&Channel=sms`), 400, 60200, /To/);
  await bad('POST', V, form(`To=${enc('+1501712266１')}&Channel=sms`), 400, 60200, /To/);
  await bad('POST', V, form(`To=${enc(TO)}&Channel=sms&CustomFriendlyName=${enc('a\u0000')}`), 400, 60200, /CustomFriendlyName/);
  await bad('POST', V, form(`To=${enc(TO)}&Channel=sms&Tags=${enc('{"k":"\\u0000"}')}`), 400, 60200, /Tags/);
  await bad('POST', `${V}/${ve}`, form(`Status=${enc('approved\u0000')}`), 400, 60200, /Status/);
  await bad('POST', `/v2/Services/${svc}/VerificationCheck`, form(`To=${enc(TO)}&Code=${enc('12\u000034')}`), 400, 60200, /Code/);
  await bad('POST', `/v2/Services/${svc}/VerificationCheck`, form(`To=${enc('😀')}&Code=123456`), 404, 20404, /VerificationCheck/);
  await bad('GET', `/inbox/messages?To=%00`, {}, 400, 60200, /To/);
  for (const ref of ['%00', `${ve}%00`, '%F0%9F%98%80', '%2B1%00']) {
    await bad('GET', `${V}/${ref}`, {}, 404, 20404, /was not found/);
    await bad('POST', `${V}/${ref}`, form('Status=canceled'), 404, 20404, /was not found/);
  }
  // An emoji email address is stored and read back as sent.
  const created = await send('POST', V, form(`To=${enc('😀@example.com')}&Channel=email`));
  assert.equal(created.status, 201);
  assert.equal(((await created.json()) as { to: string }).to, '😀@example.com');
  assert.equal(await snapshot(), baseline);
});

test('after the whole barrage the sentinel code still approves', async () => {
  assert.equal(await snapshot(), baseline);
  const { code } = await server.latestMessage(acct, TO);
  const check = await acct.client.verify.v2.services(svc).verificationChecks.create({ to: TO, code });
  assert.equal(check.status, 'approved');
  assert.equal(check.sid, ve);
});
