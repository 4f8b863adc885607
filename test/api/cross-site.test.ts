/**
 * Requests a browser sends from another site (CORS_ALLOWED_ORIGINS): where account credentials
 * are taken (/v2, /v1, /inbox, unknown paths), an Origin that is not allowed or
 * `Sec-Fetch-Site: cross-site` is refused with 403 20403 before the credentials or the body are
 * looked at, so a page cannot use credentials the browser cached. The SDK, which sends neither, is
 * unaffected; /sna/{token} and /healthz take no credentials and are open to other sites. An allowed
 * origin gets its CORS headers (echoed, never `*`) and its preflights answered. Raw HTTP, both backends;
 * test/api/logging.test.ts checks that a refused request leaves its credentials out of the log.
 */
import assert from 'node:assert/strict';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const EVIL = 'https://evil.example';
const CONSOLE = 'https://console.example.com';
const FORBIDDEN = {
  code: 20403,
  message: 'Forbidden: requests from other sites are refused (see CORS_ALLOWED_ORIGINS)',
  more_info: 'https://www.twilio.com/docs/errors/20403',
  status: 403,
};
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** `path` with the account's Basic credentials and these headers. */
async function send(server: TestServer, acct: Account | null, path: string, headers: Record<string, string>, init: RequestInit = {}) {
  const res = await server.fetch(path, { ...init, headers, auth: acct && { user: acct.sid, pass: acct.authToken } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? (JSON.parse(text) as unknown) : text };
}

const createService = (server: TestServer, acct: Account, headers: Record<string, string>) =>
  send(server, acct, '/v2/Services', { ...FORM, ...headers }, { method: 'POST', body: 'FriendlyName=Forged' });

/** The CORS headers of an answer. */
const cors = (h: Headers) => ({
  origin: h.get('access-control-allow-origin'),
  methods: h.get('access-control-allow-methods'),
  headers: h.get('access-control-allow-headers'),
  vary: h.get('vary'),
});
const NO_CORS = { origin: null, methods: null, headers: null, vary: 'Origin' };

onEachBackend('requests from other sites, with no origin allowed', async (t, server) => {
  const acct = await server.account();
  const services = async () => (await acct.client.verify.v2.services.list()).map((s) => s.friendlyName);

  await t.test('a form posted from another site, or marked cross-site, is refused with 403 20403 and changes nothing', async () => {
    const forged: Array<Record<string, string>> = [{ origin: EVIL }, { 'sec-fetch-site': 'cross-site' }, { origin: EVIL, 'sec-fetch-site': 'same-origin' }, { origin: 'null' }];
    for (const headers of forged) {
      const res = await createService(server, acct, headers);
      assert.deepEqual([res.status, res.body], [403, FORBIDDEN], JSON.stringify(headers));
      assert.deepEqual(cors(res.headers), NO_CORS, 'nothing for the page to read');
      assert.equal(res.headers.get('www-authenticate'), null);
    }
    assert.deepEqual(await services(), []);
  });

  await t.test('same-origin, same-site and user-initiated requests without an Origin pass, and so does the SDK', async () => {
    for (const site of ['same-origin', 'same-site', 'none']) {
      const res = await createService(server, acct, { 'sec-fetch-site': site });
      assert.equal(res.status, 201, site);
      assert.deepEqual(cors(res.headers), NO_CORS);
    }
    await acct.client.verify.v2.services.create({ friendlyName: 'Sdk' });
    assert.deepEqual(await services(), ['Forged', 'Forged', 'Forged', 'Sdk']);
  });

  await t.test('every route that takes account credentials refuses them: /v1, /inbox, unknown paths, URLs the router rejects', async () => {
    for (const path of ['/v1/Sinks', '/v1/Types', '/inbox/messages', '/v2/Nothing', '/nothing', '/healthz/more', '/v2/Services/%ZZ']) {
      const res = await send(server, acct, path, { origin: EVIL });
      assert.deepEqual([res.status, res.body], [403, FORBIDDEN], path);
      assert.deepEqual(cors(res.headers), NO_CORS, path);
    }
  });

  await t.test('the refusal comes before the credentials and the body are read', async () => {
    // No credentials, or wrong ones: 403, not 401 (the account store is never asked).
    assert.deepEqual((await send(server, null, '/v2/Services', { origin: EVIL })).body, FORBIDDEN);
    const wrong = await server.fetch('/v2/Services', { headers: { origin: EVIL }, auth: { user: acct.sid, pass: 'wrong' } });
    assert.deepEqual([wrong.status, await wrong.json()], [403, FORBIDDEN]);
    // A body that would be 415 or 413 is not parsed.
    const json = await send(server, acct, '/v2/Services', { origin: EVIL, 'content-type': 'application/json' }, { method: 'POST', body: '{}' });
    assert.deepEqual([json.status, json.body], [403, FORBIDDEN]);
    const big = await send(server, acct, '/v2/Services', { origin: EVIL, ...FORM }, { method: 'POST', body: `FriendlyName=${'x'.repeat(100_000)}` });
    assert.deepEqual([big.status, big.body], [403, FORBIDDEN]);
  });

  await t.test('a preflight from another origin is refused, without CORS headers', async () => {
    const res = await send(server, null, '/v2/Services', { origin: EVIL, 'access-control-request-method': 'POST' }, { method: 'OPTIONS' });
    assert.deepEqual([res.status, res.body, cors(res.headers)], [403, FORBIDDEN, NO_CORS]);
  });

  await t.test('/healthz and the SNA URL take no credentials and stay open to other sites', async () => {
    const health = await send(server, null, '/healthz', { origin: EVIL, 'sec-fetch-site': 'cross-site' });
    assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]);
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: '+15017122661', channel: 'sna' });
    // The phone's browser opening the URL from the app's page: a cross-site navigation.
    const path = new URL((v.sna as { url: string }).url).pathname;
    const sna = await send(server, null, path, { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' });
    assert.equal(sna.status, 200);
    assert.equal(new URLSearchParams(sna.body as string).get('ErrorCode'), '0');
    assert.equal((await api.verificationChecks.create({ to: '+15017122661' })).status, 'approved');
  });
});

onEachBackend('requests from allowed origins', async (t, server) => {
  const acct = await server.account();

  await t.test('an allowed origin is served, cross-site too, and its answer names it (never *)', async () => {
    const pages: Array<Record<string, string>> = [{ origin: CONSOLE }, { origin: CONSOLE, 'sec-fetch-site': 'cross-site' }, { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' }];
    for (const headers of pages) {
      const res = await send(server, acct, '/v2/Services', headers);
      assert.equal(res.status, 200, JSON.stringify(headers));
      assert.deepEqual(cors(res.headers), { origin: headers.origin, methods: 'GET, POST, DELETE', headers: 'Content-Type, Authorization', vary: 'Origin' });
    }
    const created = await createService(server, acct, { origin: CONSOLE });
    assert.deepEqual([created.status, cors(created.headers).origin], [201, CONSOLE]);
  });

  await t.test('other origins are still refused; errors to an allowed origin carry its headers', async () => {
    for (const origin of [EVIL, 'https://console.example.com.evil.example', 'http://console.example.com', `${CONSOLE}:8443`]) {
      const res = await send(server, acct, '/v2/Services', { origin });
      assert.deepEqual([res.status, res.body, cors(res.headers)], [403, FORBIDDEN, NO_CORS], origin);
    }
    const unauthenticated = await send(server, null, '/v2/Services', { origin: CONSOLE });
    assert.equal(unauthenticated.status, 401);
    assert.equal(cors(unauthenticated.headers).origin, CONSOLE, 'the page may read why it failed');
    assert.equal(unauthenticated.headers.get('www-authenticate'), 'Basic realm="verifyd"');
  });

  await t.test('a preflight from an allowed origin is answered 204 without credentials', async () => {
    for (const path of ['/v2/Services', '/v1/Sinks/DG00000000000000000000000000000000', '/inbox/messages']) {
      const res = await send(server, null, path, { origin: CONSOLE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' }, { method: 'OPTIONS' });
      assert.deepEqual([res.status, res.body], [204, ''], path);
      assert.deepEqual(cors(res.headers), { origin: CONSOLE, methods: 'GET, POST, DELETE', headers: 'Content-Type, Authorization', vary: 'Origin' }, path);
    }
  });
}, { corsAllowedOrigins: ` ${CONSOLE}, HTTP://LOCALHOST:3000 ` });
