/**
 * Malformed requests at the routing level, as raw HTTP: unknown routes (404 20404), wrong methods
 * (405 20004), bad SIDs in paths (404), URLs the router itself rejects, and requests Node's HTTP
 * parser rejects (written on a raw socket). Every answer is Twilio's error JSON, never fastify's
 * own shape or a 500, and a sentinel service + pending verification stay intact throughout.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { SENTINEL_TO as TO, startSentinel, type Sentinel } from '../support/sentinel.js';
import type { Account, TestServer } from '../support/server.js';

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

const send = (method: string, path: string, init: RequestInit = {}) => sentinel.send(method, path, init);
const snapshot = () => sentinel.snapshot();

function assertTwilioError(status: number, contentType: string | null, text: string, expected: { status: number; code: number; message?: RegExp }, what: string) {
  assert.equal(status, expected.status, `${what}: got ${status} ${text}`);
  assert.match(contentType ?? '', /^application\/json/, `${what}: content-type`);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status'], `${what}: ${text}`);
  assert.equal(body.code, expected.code, `${what}: ${text}`);
  assert.equal(body.status, status);
  assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${expected.code}`);
  if (expected.message) assert.match(String(body.message), expected.message, what);
  assert.doesNotMatch(text, /node_modules|\.ts:\d+|\bat [\w.]+ \(|FST_|statusCode/, `${what}: leaks internals`);
}

async function bad(method: string, path: string, status: number, code: number, message?: RegExp, init: RequestInit = {}) {
  const res = await send(method, path, init);
  assertTwilioError(res.status, res.headers.get('content-type'), await res.text(), { status, code, message }, `${method} ${path.slice(0, 90)}`);
  assert.equal(await snapshot(), baseline, `${method} ${path}: the sentinel changed`);
}

/** The route list of verifyd's API, with the path parameters filled in. */
const routes = () => [
  { method: 'POST', path: '/v2/Services' },
  { method: 'GET', path: '/v2/Services' },
  { method: 'GET', path: `/v2/Services/${svc}` },
  { method: 'POST', path: `/v2/Services/${svc}` },
  { method: 'DELETE', path: `/v2/Services/${svc}` },
  { method: 'POST', path: `/v2/Services/${svc}/Verifications` },
  { method: 'GET', path: `/v2/Services/${svc}/Verifications/${ve}` },
  { method: 'POST', path: `/v2/Services/${svc}/Verifications/${ve}` },
  { method: 'POST', path: `/v2/Services/${svc}/VerificationCheck` },
  { method: 'GET', path: '/inbox/messages' },
];

test('unknown routes answer 404 20404 naming the path without /v2', async () => {
  const unknown: Array<[string, string]> = [
    ['/', '/'],
    ['/v2', '/'],
    ['/v2/', '/'],
    ['/v2/Nope', '/Nope'],
    ['/v2/services', '/services'],
    ['/v2/Services/', '/Services/'],
    ['/v1/Services', '/Services'],
    ['/v3/Services', '/v3/Services'],
    [`/v2/Services/${svc}/`, `/Services/${svc}/`],
    [`/v2/Services/${svc}/Nope`, `/Services/${svc}/Nope`],
    [`/v2/Services/${svc}/Verifications/${ve}/Extra`, `/Services/${svc}/Verifications/${ve}/Extra`],
    [`/v2/Services/${svc}/verificationcheck`, `/Services/${svc}/verificationcheck`],
    ['/inbox', '/inbox'],
    ['/inbox/messages/', '/inbox/messages/'],
  ];
  for (const [path, named] of unknown) {
    for (const method of ['GET', 'POST', 'DELETE', 'PUT']) {
      const esc = named.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      await bad(method, path, 404, 20404, new RegExp(`^The requested resource ${esc} was not found$`));
    }
  }
});

test('a known path with a method it does not take answers 405 20004', async () => {
  const allowed = new Map<string, Set<string>>();
  for (const r of routes()) allowed.set(r.path, (allowed.get(r.path) ?? new Set()).add(r.method));
  allowed.set(`/v2/Services/${svc}/Verifications`, new Set(['POST']));
  for (const [path, methods] of allowed) {
    for (const method of ['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS']) {
      if (methods.has(method)) continue;
      await bad(method, path, 405, 20004, new RegExp(`^Method ${method} not allowed on `));
    }
  }
});

test('bad SIDs in paths answer 404 on every route that takes one', async () => {
  const hex = '0123456789abcdef0123456789abcdef';
  const badServices = [`VA${hex.slice(1)}`, `VA${hex}0`, `XX${hex}`, `va${hex}`, `VA${'g'.repeat(32)}`, `VA${hex.slice(2)}%20%20`, 'VA', `AC${hex}`, `VA${hex}`];
  for (const sid of badServices) {
    await bad('GET', `/v2/Services/${sid}`, 404, 20404, /^The requested resource \/Services\//);
    await bad('POST', `/v2/Services/${sid}`, 404, 20404, undefined, { body: 'FriendlyName=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await bad('DELETE', `/v2/Services/${sid}`, 404, 20404);
    await bad('POST', `/v2/Services/${sid}/Verifications`, 404, 20404, /\/Verifications was not found$/, {
      body: `To=${encodeURIComponent(TO)}&Channel=sms`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    await bad('GET', `/v2/Services/${sid}/Verifications/${ve}`, 404, 20404);
    await bad('POST', `/v2/Services/${sid}/VerificationCheck`, 404, 20404, /\/VerificationCheck was not found$/, {
      body: `To=${encodeURIComponent(TO)}&Code=123456`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  const badVerifications = [`VE${hex.slice(1)}`, `VE${hex}`, `XX${hex}`, `VE${'z'.repeat(32)}`, '%2B19999999999', 'nobody%40example.com', 'x'];
  for (const ref of badVerifications) {
    await bad('GET', `/v2/Services/${svc}/Verifications/${ref}`, 404, 20404, new RegExp(`^The requested resource /Services/${svc}/Verifications/`));
    await bad('POST', `/v2/Services/${svc}/Verifications/${ref}`, 404, 20404, undefined, {
      body: 'Status=canceled',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }
  // The real service of another account is not found either.
  const other = await server.account();
  const res = await server.fetch(`/v2/Services/${svc}`, { method: 'DELETE', auth: { user: other.sid, pass: other.authToken } });
  assertTwilioError(res.status, res.headers.get('content-type'), await res.text(), { status: 404, code: 20404 }, 'other account DELETE');
  assert.equal(await snapshot(), baseline);
});

test('URLs the router rejects still get Twilio JSON: bad %-encoding (400) and over-long segments (404)', async () => {
  await bad('GET', `/v2/Services/${svc}/Verifications/%ZZ`, 400, 400, /Malformed request/);
  await bad('POST', `/v2/Services/%E0%A4%A/Verifications`, 400, 400);
  await bad('GET', `/v2/Services/${svc}/Verifications/%FF`, 400, 400);
  await bad('GET', `/v2/Services/${svc}/Verifications/${'9'.repeat(300)}`, 404, 20404, /was not found$/);
  await bad('DELETE', `/v2/Services/VA${'a'.repeat(400)}`, 404, 20404);
});

/** Raw bytes on a socket, for what fetch refuses to send; returns status, content-type and body. */
function raw(request: string): Promise<{ status: number; contentType: string | null; body: string }> {
  const { hostname, port } = new URL(server.baseUrl);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), hostname);
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? null, body });
    });
    sock.end(request);
  });
}

test('requests the HTTP parser rejects get Twilio JSON too', async () => {
  const authz = `Authorization: Basic ${Buffer.from(`${acct.sid}:${acct.authToken}`).toString('base64')}\r\n`;
  const cases: Array<[string, string, number]> = [
    ['garbage request line', 'HELLO THERE\r\n\r\n', 400],
    ['bad Content-Length', `POST /v2/Services HTTP/1.1\r\nHost: x\r\n${authz}Content-Length: abc\r\n\r\n`, 400],
    ['two Content-Lengths', `POST /v2/Services HTTP/1.1\r\nHost: x\r\n${authz}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab`, 400],
    ['header block too large', `GET /v2/Services?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n${authz}\r\n`, 431],
    ['header too large', `GET /v2/Services HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n${authz}\r\n`, 431],
  ];
  for (const [what, request, status] of cases) {
    const res = await raw(request);
    assertTwilioError(res.status, res.contentType, res.body, { status, code: 400 }, what);
  }
  // A body shorter than its Content-Length: the request is cut off when the client gives up.
  const truncated = await raw(`POST /v2/Services HTTP/1.1\r\nHost: x\r\n${authz}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\nConnection: close\r\n\r\nFriendly`);
  assert.notEqual(truncated.status, 500);
  assert.equal(await snapshot(), baseline);
});

test('the sentinel code still approves after the barrage', async () => {
  const { code } = await server.latestMessage(acct, TO);
  const check = await acct.client.verify.v2.services(svc).verificationChecks.create({ to: TO, code });
  assert.equal(check.status, 'approved');
});
