/**
 * The `type: twilio` provider settings (src/channels/twilio/config.ts): defaults, what is refused,
 * and which channels a configuration serves (a sender configured for each).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TWILIO_API_BASE_URL, twilioChannels, twilioProviderSchema } from '../../src/channels/twilio/config.js';

const base = { name: 'twilio', type: 'twilio', account_sid: `AC${'0'.repeat(32)}`, auth_token: 'secret' };

test("defaults: Twilio's own API host, a 10 s timeout", () => {
  const c = twilioProviderSchema.parse({ ...base, sms_from: '+15005550006' });
  assert.equal(c.api_base_url, TWILIO_API_BASE_URL);
  assert.equal(c.timeout_ms, 10_000);
  assert.equal(twilioProviderSchema.parse({ ...base, api_base_url: 'http://127.0.0.1:9999/' }).api_base_url, 'http://127.0.0.1:9999');
});

test('refused: unknown keys, a name unfit for a URL, malformed SIDs, a non-HTTP base URL, no credentials', () => {
  for (const bad of [
    { ...base, sms_form: '+1' },
    { ...base, name: 'a/b' },
    { ...base, messaging_service_sid: 'MG123' },
    { ...base, whatsapp_content_sid: `HJ${'0'.repeat(32)}` },
    { ...base, api_base_url: 'ftp://example.com' },
    { ...base, auth_token: '' },
  ]) {
    assert.equal(twilioProviderSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});

test('a channel is served when its sender is configured', () => {
  const channels = (extra: object) => twilioChannels(twilioProviderSchema.parse({ ...base, ...extra }));
  assert.deepEqual(channels({}), []);
  assert.deepEqual(channels({ sms_from: '+1500' }), ['sms']);
  assert.deepEqual(channels({ messaging_service_sid: `MG${'0'.repeat(32)}` }), ['sms', 'whatsapp']);
  assert.deepEqual(channels({ whatsapp_from: 'whatsapp:+1415', voice_from: '+1500' }), ['whatsapp', 'call']);
});

test('a twilio spec builds a TwilioProvider; a route to a channel it has no sender for is refused', async () => {
  const { buildRegistry } = await import('../../src/channels/providers.js');
  const { TwilioProvider } = await import('../../src/channels/twilio/provider.js');
  const ctx = { store: {} as never, clock: { now: () => new Date(0) }, publicBaseUrl: () => 'https://verifyd.example', codeKeys: () => assert.fail('no call is sent'), receipts: () => assert.fail('no receipt') };
  const { name, type, ...settings } = twilioProviderSchema.parse({ ...base, sms_from: '+15005550006' });
  const spec = { name, type, settings };
  const registry = buildRegistry({ providers: [spec], routes: { sms: { default: ['twilio'] } } }, ctx);
  assert.ok(registry.route('sms')[0] instanceof TwilioProvider);
  assert.throws(() => buildRegistry({ providers: [spec], routes: { call: { default: ['twilio'] } } }, ctx), /provider twilio does not serve call/);
});

test("a request ends at the send queue's deadline (its signal), before the provider's own timeout", async () => {
  const { createServer } = await import('node:http');
  const { createResource, TwilioUnavailable } = await import('../../src/channels/twilio/rest.js');
  let closed!: () => void;
  const gone = new Promise<void>((r) => (closed = r));
  // Takes the request and never answers; notes when the client gives up on it.
  const server = createServer((req) => req.socket.on('close', closed));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as { port: number };
    const c = twilioProviderSchema.parse({ ...base, sms_from: '+15005550006', api_base_url: `http://127.0.0.1:${port}`, timeout_ms: 120_000 });
    const deadline = new AbortController();
    const sent = createResource(c, 'Messages', { To: '+15017122661', Body: 'code 123456' }, deadline.signal);
    setTimeout(() => deadline.abort(), 50);
    await assert.rejects(sent, (err: Error) => err instanceof TwilioUnavailable && /cut off at the send deadline/.test(err.message) && !err.message.includes('123456'));
    await gone;
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
