/**
 * Answers given before any route or scope runs are Twilio-shaped too: an unknown `Expect` (Node
 * would send a bare 417) and URLs the router rejects (bad percent-encoding), each with Twilio's
 * error JSON and the CORS headers every answer of the API carries for an allowed origin.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { onEachBackend } from '../support/server.js';

/** Raw HTTP: fetch refuses to send an `Expect` header. */
function send(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const CONSOLE = 'https://console.example.com';

onEachBackend('answers before routing', async (t, server) => {
  const acct = await server.account();
  const auth = `Basic ${Buffer.from(`${acct.sid}:${acct.authToken}`).toString('base64')}`;

  await t.test('an unknown Expect gets 417 with Twilio error JSON and CORS headers', async () => {
    const res = await send(server.baseUrl, '/v2/Services', { authorization: auth, expect: 'the-unexpected', origin: CONSOLE });
    assert.equal(res.status, 417);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(Object.keys(JSON.parse(res.body)).sort(), ['code', 'message', 'more_info', 'status']);
    assert.equal(JSON.parse(res.body).status, 417);
    assert.equal(res.headers['access-control-allow-origin'], CONSOLE);
    assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, DELETE');
    assert.equal(res.headers.vary, 'Origin');
    const other = await send(server.baseUrl, '/v2/Services', { authorization: auth, expect: 'the-unexpected', origin: 'https://evil.example' });
    assert.deepEqual([other.status, other.headers['access-control-allow-origin'], other.headers.vary], [417, undefined, 'Origin']);
  });

  await t.test('a URL the router rejects carries the CORS headers with its Twilio error', async () => {
    const res = await send(server.baseUrl, '/v2/Services/%ZZ', { authorization: auth, origin: CONSOLE });
    assert.equal(res.status, 400);
    assert.equal(JSON.parse(res.body).code, 400);
    assert.equal(res.headers['access-control-allow-origin'], CONSOLE);
    assert.equal(res.headers['access-control-allow-methods'], 'GET, POST, DELETE');
    assert.equal(res.headers['access-control-allow-headers'], 'Content-Type, Authorization');
    assert.equal(res.headers.vary, 'Origin');
    const none = await send(server.baseUrl, '/v2/Services/%ZZ', { authorization: auth });
    assert.deepEqual([none.status, none.headers['access-control-allow-origin'], none.headers.vary], [400, undefined, 'Origin']);
  });
}, { corsAllowedOrigins: CONSOLE });
