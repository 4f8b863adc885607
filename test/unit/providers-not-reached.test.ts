/**
 * The failover contract (src/channels/provider.ts) for each HTTP and SMPP provider, through real
 * sockets: a carrier certainly not reached (a refused connection, a host that never completes
 * TLS, a TLS handshake that fails, an answer of 429 or 503) throws an error `wasNotReached`
 * recognises, so the route moves on at once; a request written and never answered does not, as
 * the carrier may have taken it. No wall clock: the timeouts only decide which error comes.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpServer, type Server } from 'node:http';
import { after, test } from 'node:test';
import { REFUSED_HOST, silentHost } from '../support/local-http.js';
import { systemClock } from '../../src/domain/clock.js';
import type { InboxStore } from '../../src/domain/ports.js';
import { PROVIDER_TYPES } from '../../src/channels/providers.js';
import { wasNotReached, type Provider } from '../../src/channels/provider.js';
import { render } from '../../src/channels/render/index.js';
import type { SendRequest } from '../../src/domain/verification/sending.js';
import { sendRequest } from '../support/send-request.js';
import { Smsc } from '../support/smsc.js';

const silent = await silentHost();

// Plain HTTP that answers as told by the path's first segment: `hang` never answers, else that status.
const held = new Set<import('node:http').ServerResponse>();
const http: Server = createHttpServer((req, res) => {
  req.resume();
  const status = Number(req.url?.split('/')[1]);
  if (Number.isInteger(status) && status >= 200) return void res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1' }).end('{}');
  held.add(res);
});
await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
const httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
const closedUrl = `http://${REFUSED_HOST}`;

const smsc = await Smsc.start({ systemId: 'verifyd', password: 'secret' });
const providers: Provider[] = [];
after(async () => {
  for (const p of providers) await p.close?.();
  for (const r of held) r.destroy();
  silent.close();
  http.close();
  await smsc.close();
});

const ctx = {
  store: {} as InboxStore,
  clock: systemClock,
  publicBaseUrl: () => 'http://127.0.0.1:1',
  codeKeys: () => assert.fail('no code keys'),
  receipts: async () => true,
};

function build(type: keyof typeof PROVIDER_TYPES, raw: Record<string, unknown>): Provider {
  const t = PROVIDER_TYPES[type] as { settings(f: { dir: string }): { parse(v: unknown): unknown }; build(n: string, s: unknown, c: typeof ctx): Provider };
  const p = t.build(type, t.settings({ dir: '.' }).parse(raw), ctx);
  providers.push(p);
  return p;
}

/** The error `send` rejects with (it must reject). */
async function failure(p: Provider, req: SendRequest): Promise<unknown> {
  try {
    await p.send(req, render(req));
  } catch (err) {
    return err;
  }
  return assert.fail(`${p.name} sent`);
}

/** Each HTTP provider type with its settings at `base` (a URL to which each type adds its own path). */
const HTTP_TYPES: Array<{ type: keyof typeof PROVIDER_TYPES; req: SendRequest; settings: (base: string) => Record<string, unknown> }> = [
  {
    type: 'vonage',
    req: sendRequest(),
    settings: (base) => ({ api_key: 'k1', api_secret: 's1', signature_secret: 'sig', api_base_url: base, from: 'Acme' }),
  },
  {
    type: 'http',
    req: sendRequest(),
    settings: (base) => ({ url: `${base}/send`, secret: 'a-gateway-secret-of-16+' }),
  },
  {
    type: 'whatsapp_cloud',
    req: sendRequest({ channel: 'whatsapp' }),
    settings: (base) => ({ phone_number_id: '1234', access_token: 't', app_secret: 'a', verify_token: 'v', template_name: 'otp', api_base_url: base }),
  },
  {
    type: 'sendgrid',
    req: sendRequest({ channel: 'email', to: 'someone@example.com' }),
    settings: (base) => ({ api_key: 'SG.k', from: 'codes@example.com', api_base_url: base }),
  },
];

for (const { type, req, settings } of HTTP_TYPES) {
  test(`${type}: a refused connection is "not reached"`, async () => {
    assert.equal(wasNotReached(await failure(build(type, settings(closedUrl)), req)), true);
  });

  test(`${type}: a host that never completes TLS is "not reached" at its connect timeout`, async () => {
    // The send timeout is far later: only the connect timeout can end this send as "not reached".
    const p = build(type, { ...settings(`https://${silent.host}`), connect_timeout_ms: 100, timeout_ms: 60_000 });
    assert.equal(wasNotReached(await failure(p, req)), true);
  });

  test(`${type}: a TLS handshake that fails (plain HTTP on the other side) is "not reached"`, async () => {
    assert.equal(wasNotReached(await failure(build(type, settings(httpUrl.replace('http:', 'https:'))), req)), true);
  });

  test(`${type}: 429 and 503 are "not reached"; 500 and a request never answered are not`, async () => {
    for (const [status, notReached] of [[429, true], [503, true], [500, false]] as const) {
      assert.equal(wasNotReached(await failure(build(type, settings(`${httpUrl}/${status}`)), req)), notReached, `HTTP ${status}`);
    }
    assert.equal(wasNotReached(await failure(build(type, { ...settings(`${httpUrl}/hang`), timeout_ms: 100 }), req)), false, 'a response timeout');
  });
}

const smppSettings = (url: string, over: Record<string, unknown> = {}) => ({ url, system_id: 'verifyd', password: 'secret', source_addr: 'Acme', submit_timeout_ms: 60_000, ...over });

test('smpp: a refused connection is "not reached"', async () => {
  assert.equal(wasNotReached(await failure(build('smpp', smppSettings(closedUrl.replace('http:', 'smpp:'))), sendRequest())), true);
});

test('smpp: a message still waiting for a bind when the send is called off is "not reached"', async () => {
  const p = build('smpp', smppSettings(`smpps://${silent.host}`));
  const req = sendRequest();
  const abort = new AbortController();
  const sending = p.send(req, render(req), abort.signal);
  abort.abort(Object.assign(new Error('the provider did not answer'), { name: 'TimeoutError' }));
  assert.equal(wasNotReached(await sending.then(() => null, (err: unknown) => err)), true);
});

test('smpp: a submit_sm written and never answered is not "not reached"', async () => {
  smsc.hold = true;
  const p = build('smpp', smppSettings(smsc.url));
  const req = sendRequest();
  const abort = new AbortController();
  const sending = p.send(req, render(req), abort.signal);
  while (smsc.held.length === 0) await new Promise((r) => setImmediate(r));
  abort.abort(Object.assign(new Error('the provider did not answer'), { name: 'TimeoutError' }));
  assert.equal(wasNotReached(await sending.then(() => null, (err: unknown) => err)), false);
});
