/**
 * The verification lifecycle through the official SDK: resends (same VE sid, same code, one more
 * VL attempt), the send limit, fetch and update by sid or by To, the 404 every final state answers,
 * and expiry that happens without anyone asking. A ManualClock drives time. Both backends.
 */
import assert from 'node:assert/strict';
import { startExpirySweep } from '../../src/sweep.js';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup, type ServiceApi } from '../support/server.js';

const US = '+15017122661';
const TTL = 600_000;
/** The servers run on a ManualClock starting here, with verifications living TTL ms. */
const CLOCK = { start: new Date('2025-03-01T12:00:00Z'), ttlMs: TTL };
const quiet = { error: () => undefined };

/** fetch, update and check all answer 404 for a verification that reached a final state. */
async function assertGone(api: ServiceApi, serviceSid: string, sid: string, to: string): Promise<void> {
  const path = (ref: string) => `The requested resource /Services/${serviceSid}/Verifications/${ref} was not found`;
  await rejectsWith(api.verifications(sid).fetch(), 404, 20404, path(sid));
  await rejectsWith(api.verifications(to).fetch(), 404, 20404, path(to));
  await rejectsWith(api.verifications(sid).update({ status: 'approved' }), 404, 20404, path(sid));
  await rejectsWith(api.verifications(to).update({ status: 'canceled' }), 404, 20404, path(to));
  const check = `The requested resource /Services/${serviceSid}/VerificationCheck was not found`;
  await rejectsWith(api.verificationChecks.create({ to, code: '123456' }), 404, 20404, check);
  await rejectsWith(api.verificationChecks.create({ verificationSid: sid, code: '123456' }), 404, 20404, check);
}

onEachBackend('verification lifecycle', async (t, server, clock) => {
  await t.test('starting again while pending: same sid, same code, a new VL attempt, channel may switch', async () => {
    const { acct, api } = await setup(server);
    const first = await api.verifications.create({ to: US, channel: 'sms' });
    const sms = await server.latestMessage(acct, US);
    assert.equal(sms.verification_sid, first.sid);
    assert.equal(sms.attempt_sid, first.sendCodeAttempts[0]?.attempt_sid);
    clock.advance(30_000);

    const again = await api.verifications.create({ to: US, channel: 'call' });
    assert.equal(again.sid, first.sid);
    assert.equal(again.channel, 'call');
    assert.equal(again.status, 'pending');
    assert.deepEqual(again.sendCodeAttempts.map((a: { channel: string }) => a.channel), ['SMS', 'CALL']);
    const [a0, a1] = again.sendCodeAttempts as Array<{ attempt_sid: string; time: string }>;
    assert.equal(a0?.attempt_sid, first.sendCodeAttempts[0]?.attempt_sid);
    assert.match(a1!.attempt_sid, /^VL[0-9a-f]{32}$/);
    assert.notEqual(a1!.attempt_sid, a0!.attempt_sid);
    assert.equal(Date.parse(a1!.time) - Date.parse(a0!.time), 30_000);
    assert.equal(again.dateCreated.getTime(), first.dateCreated.getTime());
    assert.equal(again.dateUpdated.getTime() - first.dateUpdated.getTime(), 30_000);

    const call = await server.latestMessage(acct, US);
    assert.equal(call.channel, 'call');
    assert.equal(call.code, sms.code, 'the same code is sent again');
    assert.equal(call.attempt_sid, a1!.attempt_sid);
    assert.equal(call.verification_sid, first.sid);

    const fetched = await api.verifications(first.sid).fetch();
    assert.deepEqual(fetched.sendCodeAttempts, again.sendCodeAttempts);
    assert.equal(fetched.channel, 'call');
    // The code from either message approves.
    const ok = await api.verificationChecks.create({ to: US, code: sms.code });
    assert.equal(ok.status, 'approved');
  });

  await t.test('the sixth send inside the window answers 429 60203', async () => {
    const { svc, api } = await setup(server);
    const first = await api.verifications.create({ to: US, channel: 'sms' });
    for (let i = 2; i <= 5; i++) {
      const v = await api.verifications.create({ to: US, channel: i % 2 ? 'sms' : 'whatsapp' });
      assert.equal(v.sid, first.sid);
      assert.equal(v.sendCodeAttempts.length, i);
    }
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms' }), 429, 60203);
    await rejectsWith(api.verifications.create({ to: US, channel: 'call' }), 429, 60203);
    // The refused sends left the verification as it was.
    const v = await api.verifications(first.sid).fetch();
    assert.equal(v.status, 'pending');
    assert.equal(v.sendCodeAttempts.length, 5);
    // Canceling frees the number: the next start is a new verification.
    await api.verifications(first.sid).update({ status: 'canceled' });
    const next = await api.verifications.create({ to: US, channel: 'sms' });
    assert.notEqual(next.sid, first.sid);
    assert.equal(next.sendCodeAttempts.length, 1);
    assert.equal((await server.stores.verifications.getVerification(svc.sid, first.sid))?.status, 'canceled');
  });

  await t.test('custom-code resends must bring the custom code again', async () => {
    const { acct, api } = await setup(server, { customCodeEnabled: true });
    const v = await api.verifications.create({ to: US, channel: 'sms', customCode: '8675309' });
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms' }), 400, 60200, 'Invalid parameter: CustomCode');
    const again = await api.verifications.create({ to: US, channel: 'sms', customCode: '8675309' });
    assert.equal(again.sid, v.sid);
    assert.equal((await server.latestMessage(acct, US)).code, '8675309');
  });

  await t.test('fetch by VE sid and by To (SDK and %2B-encoded raw path)', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    assert.equal((await api.verifications(v.sid).fetch()).sid, v.sid);
    assert.equal((await api.verifications(US).fetch()).sid, v.sid);
    const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications/%2B15017122661`, { auth: { user: acct.sid, pass: acct.authToken } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { sid: string; url: string };
    assert.equal(body.sid, v.sid);
    assert.equal(body.url, `${server.baseUrl}/v2/Services/${svc.sid}/Verifications/${v.sid}`);
    // Unknown sid and unknown To: 404 naming the reference.
    const ghost = `VE${'0'.repeat(32)}`;
    await rejectsWith(api.verifications(ghost).fetch(), 404, 20404, `The requested resource /Services/${svc.sid}/Verifications/${ghost} was not found`);
    await rejectsWith(api.verifications('+447400123456').fetch(), 404, 20404, `The requested resource /Services/${svc.sid}/Verifications/+447400123456 was not found`);
  });

  await t.test('update Status=approved by sid, then everything is 404', async () => {
    const { svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    clock.advance(1000);
    const done = await api.verifications(v.sid).update({ status: 'approved' });
    assert.equal(done.sid, v.sid);
    assert.equal(done.status, 'approved');
    assert.equal(done.valid, true);
    assert.equal(done.dateUpdated.getTime() - v.dateCreated.getTime(), 1000);
    await assertGone(api, svc.sid, v.sid, US);
    const changes = await server.stores.verifications.listStatusChanges(v.sid);
    assert.deepEqual(changes.map((c) => [c.fromStatus, c.toStatus, c.cause]), [[null, 'pending', 'start'], ['pending', 'approved', 'update']]);
  });

  await t.test('update Status=canceled by To (SDK and raw %2B), then everything is 404', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const done = await api.verifications(US).update({ status: 'canceled' });
    assert.equal(done.sid, v.sid);
    assert.equal(done.status, 'canceled');
    assert.equal(done.valid, false);
    await assertGone(api, svc.sid, v.sid, US);

    const w = await api.verifications.create({ to: US, channel: 'sms' });
    const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications/%2B15017122661`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Status=approved',
      auth: { user: acct.sid, pass: acct.authToken },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { sid: string; status: string; valid: boolean };
    assert.deepEqual([body.sid, body.status, body.valid], [w.sid, 'approved', true]);
  });

  await t.test('update with another Status is 60200', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    for (const status of ['pending', 'expired', 'max_attempts_reached', 'APPROVED']) {
      await rejectsWith(api.verifications(v.sid).update({ status: status as 'approved' }), 400, 60200, 'Invalid parameter: Status');
    }
    const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications/${v.sid}`, { method: 'POST', auth: { user: acct.sid, pass: acct.authToken } });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { message: string }).message, 'Invalid parameter: Status');
    assert.equal((await api.verifications(v.sid).fetch()).status, 'pending');
  });

  await t.test('approved by a check, then everything is 404', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    assert.equal((await api.verificationChecks.create({ to: US, code })).status, 'approved');
    await assertGone(api, svc.sid, v.sid, US);
  });

  await t.test('pending verifications past ten minutes expire without anyone asking', async () => {
    const { svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const sweep = startExpirySweep(server.stores.verifications, clock, 60_000, quiet);
    try {
      clock.advance(TTL - 1);
      await sweep.runOnce();
      assert.equal((await api.verifications(v.sid).fetch()).status, 'pending', 'still valid one ms before the end');
      clock.advance(1);
      assert.ok((await sweep.runOnce()) >= 1);
    } finally {
      sweep.stop();
    }
    const stored = await server.stores.verifications.getVerification(svc.sid, v.sid);
    assert.equal(stored?.status, 'expired');
    const changes = await server.stores.verifications.listStatusChanges(v.sid);
    assert.deepEqual(changes.map((c) => [c.fromStatus, c.toStatus, c.cause]), [[null, 'pending', 'start'], ['pending', 'expired', 'expiry']]);
    assert.equal(changes[1]?.dateCreated, v.dateCreated.getTime() + TTL);
    await assertGone(api, svc.sid, v.sid, US);
    // The number is free again: a new verification with a new sid.
    const next = await api.verifications.create({ to: US, channel: 'sms' });
    assert.notEqual(next.sid, v.sid);
  });

  await t.test('a resend does not extend validity; a lapsed verification is gone before any sweep', async () => {
    const { svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    clock.advance(TTL / 2);
    assert.equal((await api.verifications.create({ to: US, channel: 'sms' })).sid, v.sid);
    clock.advance(TTL / 2);
    await rejectsWith(api.verifications(v.sid).fetch(), 404, 20404);
    await rejectsWith(api.verificationChecks.create({ verificationSid: v.sid, code: '123456' }), 404, 20404);
    const changes = await server.stores.verifications.listStatusChanges(v.sid);
    assert.deepEqual(changes.at(-1) && [changes.at(-1)!.toStatus, changes.at(-1)!.cause], ['expired', 'check']);
    const fresh = await api.verifications.create({ to: US, channel: 'sms' });
    assert.notEqual(fresh.sid, v.sid);
    assert.equal((await server.stores.verifications.getVerification(svc.sid, v.sid))?.status, 'expired');
  });
}, CLOCK);
