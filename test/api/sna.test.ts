/**
 * Silent Network Authentication: the sna.url verifyd hands out (its own carrier simulator), its
 * single use and ten-minute validity, the check with To only (and SnaClientToken when asked for),
 * and Channel=auto. Both backends; a ManualClock drives time.
 */
import assert from 'node:assert/strict';
import { onEachBackend, setup } from '../support/server.js';

const US = '+15017122661';
const TTL = 600_000;
/** The servers run on a ManualClock starting here, with verifications living TTL ms. */
const CLOCK = { start: new Date('2025-03-01T12:00:00Z'), ttlMs: TTL };

/** What the device does: call the URL over its mobile data connection (no credentials). */
async function invoke(url: string, method: 'GET' | 'POST' = 'GET'): Promise<URLSearchParams> {
  const res = await fetch(url, { method });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/x-www-form-urlencoded/);
  return new URLSearchParams(await res.text());
}

const snaUrl = (v: { sna: unknown }): string => (v.sna as { url: string }).url;

onEachBackend('silent network authentication', async (t, server, clock) => {
  await t.test('start with Channel=sna: sna.url on verifyd, an sna attempt, nothing in the inbox', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna' });
    assert.equal(v.channel, 'sna');
    assert.equal(v.status, 'pending');
    assert.deepEqual(Object.keys(v.sna as object), ['url']);
    assert.ok(snaUrl(v).startsWith(`${server.baseUrl}/sna/`), snaUrl(v));
    assert.equal(v.sendCodeAttempts.length, 1);
    assert.equal(v.sendCodeAttempts[0]?.channel, 'sna');
    // A fetch shows the same URL.
    assert.equal(snaUrl(await api.verifications(v.sid).fetch()), snaUrl(v));
    const res = await server.fetch(`/inbox/messages?ServiceSid=${svc.sid}`, { auth: { user: acct.sid, pass: acct.authToken } });
    assert.deepEqual(((await res.json()) as { messages: unknown[] }).messages, []);
  });

  await t.test('check before the URL is called: pending with 60519; after: approved with To only', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna' });
    const attemptSid = v.sendCodeAttempts[0]?.attempt_sid as string;

    const early = await api.verificationChecks.create({ to: US });
    assert.equal(early.status, 'pending');
    assert.equal(early.valid, false);
    assert.equal(early.channel, 'sna');
    assert.deepEqual(early.snaAttemptsErrorCodes, [{ attempt_sid: attemptSid, code: 60519 }]);

    const first = await invoke(snaUrl(v));
    assert.equal(first.get('ErrorCode'), '0');
    assert.equal(first.get('ErrorDescription'), 'Success');
    // Usable once.
    const second = await invoke(snaUrl(v));
    assert.equal(second.get('ErrorCode'), '60520');

    const ok = await api.verificationChecks.create({ to: US });
    assert.equal(ok.status, 'approved');
    assert.equal(ok.valid, true);
    assert.deepEqual(ok.snaAttemptsErrorCodes, []);
    await assert.rejects(api.verifications(v.sid).fetch(), { status: 404, code: 20404 });
  });

  await t.test('the raw body of the URL answer starts with ErrorCode=0, then ErrorCode=60520 (POST too)', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna' });
    const res = await fetch(snaUrl(v), { method: 'POST' });
    assert.match(await res.text(), /^ErrorCode=0&/);
    const again = await fetch(snaUrl(v));
    assert.match(await again.text(), /^ErrorCode=60520&/);
    const unknown = await fetch(`${server.baseUrl}/sna/not-a-token`);
    assert.match(await unknown.text(), /^ErrorCode=60520&/);
  });

  await t.test('with EnableSnaClientToken the check needs the token from the URL answer', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna', enableSnaClientToken: true });
    const answer = await invoke(snaUrl(v));
    assert.equal(answer.get('ErrorCode'), '0');
    const token = answer.get('SnaClientToken');
    assert.ok(token, 'the answer carries SnaClientToken');

    const without = await api.verificationChecks.create({ to: US });
    assert.equal(without.status, 'pending');
    assert.equal(without.valid, false);
    const bad = await api.verificationChecks.create({ to: US, snaClientToken: 'not-the-token' });
    assert.equal(bad.status, 'pending');
    assert.equal(bad.valid, false);
    assert.equal((bad.snaAttemptsErrorCodes as Array<{ code: number }>).length, 1);
    assert.notEqual((bad.snaAttemptsErrorCodes as Array<{ code: number }>)[0]?.code, 0);

    const ok = await api.verificationChecks.create({ verificationSid: v.sid, snaClientToken: token! });
    assert.equal(ok.status, 'approved');
    assert.equal(ok.valid, true);
  });

  await t.test('without EnableSnaClientToken the answer carries no token requirement', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna' });
    await invoke(snaUrl(v));
    assert.equal((await api.verificationChecks.create({ to: US, snaClientToken: 'anything' })).status, 'approved');
  });

  await t.test('sna.url is valid for ten minutes', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna' });
    clock.advance(TTL);
    assert.equal((await invoke(snaUrl(v))).get('ErrorCode'), '60520');
    await assert.rejects(api.verificationChecks.create({ to: US }), { status: 404, code: 20404 });
  });

  await t.test('auto picks sna when DeviceIp is given and says so', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'auto', deviceIp: '198.51.100.23' });
    assert.equal(v.channel, 'sna');
    assert.equal(v.sendCodeAttempts[0]?.channel, 'sna');
    assert.ok(snaUrl(v).startsWith(`${server.baseUrl}/sna/`));
    await invoke(snaUrl(v));
    assert.equal((await api.verificationChecks.create({ to: US })).status, 'approved');
  });

  await t.test('auto picks sms without DeviceIp and says so', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'auto' });
    assert.equal(v.channel, 'sms');
    assert.equal(v.sna, null);
    assert.equal(v.sendCodeAttempts[0]?.channel, 'SMS');
    const m = await server.latestMessage(acct, US);
    assert.equal(m.channel, 'sms');
    assert.equal((await api.verificationChecks.create({ to: US, code: m.code })).status, 'approved');
  });

  await t.test('falling back from sna to sms keeps the verification; the SMS code approves', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sna' });
    // Sends in the same millisecond come back in random order (storage orders by date_created, sid).
    clock.advance(1000);
    const fallback = await api.verifications.create({ to: US, channel: 'sms' });
    assert.equal(fallback.sid, v.sid);
    assert.equal(fallback.channel, 'sms');
    assert.equal(fallback.sna, null);
    assert.deepEqual(fallback.sendCodeAttempts.map((a: { channel: string }) => a.channel), ['sna', 'SMS']);
    const { code } = await server.latestMessage(acct, US);
    const ok = await api.verificationChecks.create({ to: US, code });
    assert.equal(ok.status, 'approved');
    assert.equal(ok.snaAttemptsErrorCodes, null);
  });
}, CLOCK);
