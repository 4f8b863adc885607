/**
 * VERIFYD_ENV=production through the official SDK and raw HTTP: the inbox and the SNA carrier
 * simulator are off (their paths answer as unknown ones, a channel without a provider answers
 * 60223, `auto` picks sms), each comes back when switched on alone, and tenants' webhook sinks are
 * judged by the strict block list. Both backends.
 */
import assert from 'node:assert/strict';
import { hasError } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const US = '+15017122661';
const disabled = hasError(400, 60223, (m) => assert.equal(m, 'Create verification failed because delivery channel is currently disabled'));

const basic = (acct: Account) => ({ user: acct.sid, pass: acct.authToken });

/** Status and error code of a raw request, with the account's credentials or none. */
async function answer(server: TestServer, path: string, acct: Account | null, method = 'GET'): Promise<[number, number]> {
  const res = await server.fetch(path, { method, auth: acct && basic(acct) });
  return [res.status, ((await res.json()) as { code: number }).code];
}

onEachBackend('production mode by default', async (t, server) => {
  const acct = await server.account();

  await t.test('/inbox and /sna answer as an unknown path does: 401 without credentials, 404 with', async () => {
    for (const path of ['/inbox/messages', `/inbox/messages?To=${encodeURIComponent(US)}`, `/sna/${'a'.repeat(43)}`, '/sna/']) {
      for (const method of ['GET', 'POST']) {
        assert.deepEqual(await answer(server, path, acct, method), [404, 20404], `${method} ${path}`);
        assert.deepEqual(await answer(server, path, null, method), [401, 20003], `${method} ${path} without credentials`);
      }
    }
    assert.deepEqual(await answer(server, '/nowhere', acct), [404, 20404], 'an unknown path, for comparison');
  });

  await t.test('Channel=sna and every channel without a provider answer 60223, and nothing is stored', async () => {
    const { api } = await setup(server, {}, acct);
    for (const [channel, to] of [['sna', US], ['sms', US], ['call', US], ['whatsapp', US], ['email', 'ann@example.com'], ['auto', US]]) {
      await assert.rejects(api.verifications.create({ to: to!, channel: channel! }), disabled, channel);
      await assert.rejects(api.verifications(to!).fetch(), hasError(404, 20404), `no ${channel} verification was stored`);
    }
    assert.deepEqual(await acct.client.verify.v2.verificationAttempts.list(), [], 'no attempt either');
  });

  await t.test('webhook sinks to loopback and private addresses are refused; host names are accepted', async () => {
    for (const destination of ['http://127.0.0.1:9/', 'http://[::1]/', 'http://10.1.2.3/', 'http://192.168.1.1/', 'http://172.16.0.1/', 'http://100.64.0.1/', 'http://[fd12::1]/', 'http://169.254.169.254/']) {
      await assert.rejects(
        acct.client.events.v1.sinks.create({ description: 'hook', sinkType: 'webhook', sinkConfiguration: { destination, method: 'POST', batch_events: false } }),
        hasError(400, 20001, (m) => assert.match(m, /EVENTS_WEBHOOK_BLOCKED_NETWORKS/)),
        destination,
      );
    }
    const sink = await acct.client.events.v1.sinks.create({ description: 'hook', sinkType: 'webhook', sinkConfiguration: { destination: 'https://hooks.example.com/verify', method: 'POST', batch_events: false } });
    assert.equal(sink.sinkType, 'webhook');
  });
}, { env: { VERIFYD_ENV: 'production' } });

onEachBackend('production mode with INBOX_ENABLED=true: the inbox carries codes; auto without an SNA provider picks sms', async (t, server) => {
  const { acct, api } = await setup(server);

  await t.test('auto with a DeviceIp is sms, its code is in the inbox', async () => {
    const v = await api.verifications.create({ to: US, channel: 'auto', deviceIp: '203.0.113.7' });
    assert.equal(v.channel, 'sms');
    assert.equal(v.sna, null);
    const m = await server.latestMessage(acct, US);
    assert.equal(m.verification_sid, v.sid);
    assert.equal((await api.verificationChecks.create({ to: US, code: m.code })).status, 'approved');
  });

  await t.test('sna is still off', async () => {
    await assert.rejects(api.verifications.create({ to: US, channel: 'sna' }), disabled);
    assert.deepEqual(await answer(server, `/sna/${'a'.repeat(43)}`, acct), [404, 20404]);
  });
}, { env: { VERIFYD_ENV: 'production', INBOX_ENABLED: 'true' } });

onEachBackend('production mode with SNA_SIMULATOR=true: sna verifications work; the inbox stays off', async (_t, server) => {
  const { acct, api } = await setup(server);
  const v = await api.verifications.create({ to: US, channel: 'sna' });
  const url = (v.sna as { url: string }).url;
  assert.ok(url.startsWith(`${server.baseUrl}/sna/`), url);
  const res = await fetch(url);
  assert.equal(new URLSearchParams(await res.text()).get('ErrorCode'), '0');
  assert.equal((await api.verificationChecks.create({ to: US })).status, 'approved');
  await assert.rejects(api.verifications.create({ to: US, channel: 'sms' }), disabled);
  assert.deepEqual(await answer(server, '/inbox/messages', acct), [404, 20404]);
}, { env: { VERIFYD_ENV: 'production', SNA_SIMULATOR: 'true' } });
