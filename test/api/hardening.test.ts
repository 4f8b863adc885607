/**
 * Fixes from review, each with the test that would have caught it: the check-attempt lockout across
 * restarts, options of a resend, To normalisation on lookups, e-mail addresses that look like SIDs,
 * deeply nested JSON parameters, and retention of finished verifications. Both backends.
 */
import assert from 'node:assert/strict';
import { startRetention } from '../../src/sweep.js';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup } from '../support/server.js';

const US = '+15017122661';
const TTL = 600_000;
const CLOCK = { start: new Date('2025-06-01T08:00:00Z'), ttlMs: TTL };
const quiet = { error: () => undefined };
const wrong = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

onEachBackend('hardening', async (t, server, clock) => {
  await t.test('after max check attempts a new start waits for the validity to end (429 60202, Retry-After)', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    for (let i = 0; i < 5; i++) await api.verificationChecks.create({ to: US, code: wrong(code) });
    await rejectsWith(api.verificationChecks.create({ to: US, code }), 429, 60202);
    clock.advance(TTL / 2);
    const res = await server.fetch(`/v2/Services/${v.serviceSid}/Verifications`, {
      method: 'POST',
      auth: { user: acct.sid, pass: acct.authToken },
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `To=${encodeURIComponent(US)}&Channel=sms`,
    });
    assert.equal(res.status, 429);
    assert.equal(((await res.json()) as { code: number }).code, 60202);
    assert.equal(res.headers.get('retry-after'), String(TTL / 2 / 1000));
    clock.advance(TTL / 2);
    const fresh = await api.verifications.create({ to: US, channel: 'sms' });
    assert.notEqual(fresh.sid, v.sid, 'free again once the locked-out verification expired');
  });

  await t.test("a resend's EnableSnaClientToken is enforced (sms first, then sna)", async () => {
    const { api } = await setup(server);
    await api.verifications.create({ to: US, channel: 'sms' });
    const sna = await api.verifications.create({ to: US, channel: 'sna', enableSnaClientToken: true });
    const url = (sna.sna as { url: string }).url;
    const answer = new URLSearchParams(await (await fetch(url)).text());
    assert.equal(answer.get('ErrorCode'), '0');
    assert.equal((await api.verificationChecks.create({ to: US })).status, 'pending', 'no client token: not approved');
    const ok = await api.verificationChecks.create({ to: US, snaClientToken: answer.get('SnaClientToken')! });
    assert.equal(ok.status, 'approved');
  });

  await t.test('To is looked up in the form start stored it (national trunk prefix dropped)', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: '+4407911123456', channel: 'sms' });
    assert.equal(v.to, '+447911123456');
    assert.equal((await api.verifications('+4407911123456').fetch()).sid, v.sid);
    const { code } = await server.latestMessage(acct, '+447911123456');
    const c = await api.verificationChecks.create({ to: '+4407911123456', code });
    assert.equal(c.status, 'approved');
  });

  await t.test('an e-mail address starting with VE is a To, not a SID', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: 'VEra@example.com', channel: 'email' });
    assert.equal((await api.verifications('VEra@example.com').fetch()).sid, v.sid);
    assert.equal((await api.verifications('VEra@example.com').update({ status: 'canceled' })).status, 'canceled');
  });

  await t.test('deeply nested JSON parameters answer 400, not 500', async () => {
    const { acct, svc } = await setup(server);
    const deep = '{"a":'.repeat(4000) + '1' + '}'.repeat(4000);
    for (const param of ['Tags', 'RateLimits', 'ChannelConfiguration', 'TemplateCustomSubstitutions']) {
      const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications`, {
        method: 'POST',
        auth: { user: acct.sid, pass: acct.authToken },
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `To=${encodeURIComponent(US)}&Channel=sms&${param}=${encodeURIComponent(deep)}`,
      });
      assert.equal(res.status, 400, param);
      assert.deepEqual(await res.json(), { code: 60200, message: `Invalid parameter: ${param}`, more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });
    }
  });

  await t.test('retention removes finished verifications with their inbox messages, keeps pending ones', async () => {
    const { acct, svc, api } = await setup(server);
    const old = await api.verifications.create({ to: '+15017122662', channel: 'sms' });
    await api.verifications(old.sid).update({ status: 'canceled' });
    clock.advance(31 * 86_400_000);
    const recent = await api.verifications.create({ to: '+15017122663', channel: 'sms' });
    await startRetention(server.stores, clock, 30 * 86_400_000, 60_000, quiet).runOnce();
    assert.equal(await server.stores.verifications.getVerification(svc.sid, old.sid), undefined);
    const inbox = await server.stores.inbox.listInboxMessages(acct.sid, { serviceSid: svc.sid }, 50);
    assert.deepEqual(inbox.map((m) => m.verificationSid), [recent.sid]);
    assert.equal((await server.stores.verifications.getVerification(svc.sid, recent.sid))?.status, 'pending');
  });
}, CLOCK);
