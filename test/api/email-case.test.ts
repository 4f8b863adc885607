/**
 * E-mail addresses are one destination whatever their case (issue 10, finding 3): the check lockout
 * and the one-pending rule hold across case variants, lookups by To (check, fetch, update, the
 * Attempts and inbox filters) find the verification in any case, and responses echo the address
 * lower-cased, as they echo a phone number in E.164. Official SDK, both backends.
 */
import assert from 'node:assert/strict';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup } from '../support/server.js';

const LOWER = 'victim@example.com';
const MIXED = 'Victim@Example.com';
const UPPER = 'VICTIM@EXAMPLE.COM';
const TTL = 600_000;
const CLOCK = { start: new Date('2025-06-01T08:00:00Z'), ttlMs: TTL };
const wrong = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

onEachBackend('e-mail case', async (t, server, clock) => {
  await t.test('a locked-out address stays locked out in any case (429 60202, no new code)', async () => {
    const { acct, api } = await setup(server);
    await api.verifications.create({ to: LOWER, channel: 'email' });
    const { code } = await server.latestMessage(acct, LOWER);
    for (let i = 0; i < 5; i++) await api.verificationChecks.create({ to: LOWER, code: wrong(code) });
    await rejectsWith(api.verificationChecks.create({ to: LOWER, code }), 429, 60202);
    await rejectsWith(api.verifications.create({ to: MIXED, channel: 'email' }), 429, 60202);
    await rejectsWith(api.verifications.create({ to: UPPER, channel: 'email' }), 429, 60202);
    clock.advance(TTL);
    const fresh = await api.verifications.create({ to: MIXED, channel: 'email' });
    assert.equal(fresh.to, LOWER, 'free again once the locked-out verification expired');
  });

  await t.test('a start in another case resends the pending verification', async () => {
    const { acct, api } = await setup(server);
    const first = await api.verifications.create({ to: LOWER, channel: 'email' });
    const again = await api.verifications.create({ to: MIXED, channel: 'email' });
    assert.equal(again.sid, first.sid);
    assert.equal(again.to, LOWER);
    assert.equal(again.sendCodeAttempts.length, 2);
    const inbox = await server.fetch(`/inbox/messages?To=${encodeURIComponent(UPPER)}`, { auth: { user: acct.sid, pass: acct.authToken } });
    const { messages } = (await inbox.json()) as { messages: Array<{ to: string; code: string; verification_sid: string }> };
    assert.equal(messages.length, 2, 'the inbox filter folds the case too');
    assert.ok(messages.every((m) => m.to === LOWER && m.verification_sid === first.sid));
    assert.equal(messages[0]?.code, messages[1]?.code, 'the same code went out again');
  });

  await t.test('the first start stores and echoes the address lower-cased', async () => {
    const { api } = await setup(server);
    const v = await api.verifications.create({ to: MIXED, channel: 'email' });
    assert.equal(v.to, LOWER);
    assert.equal(v.sendCodeAttempts.length, 1);
    const again = await api.verifications.create({ to: LOWER, channel: 'email' });
    assert.equal(again.sid, v.sid);
  });

  await t.test('check, fetch and update by To in another case find the verification', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: MIXED, channel: 'email' });
    const fetched = await api.verifications(UPPER).fetch();
    assert.equal(fetched.sid, v.sid);
    assert.equal(fetched.to, LOWER);
    const { code } = await server.latestMessage(acct, MIXED);
    const wrongCheck = await api.verificationChecks.create({ to: UPPER, code: wrong(code) });
    assert.equal(wrongCheck.status, 'pending');
    assert.equal(wrongCheck.to, LOWER);
    // A To beside a VerificationSid must name the same destination: case does not make it another.
    const right = await api.verificationChecks.create({ verificationSid: v.sid, to: MIXED, code });
    assert.equal(right.status, 'approved');
    assert.equal(right.to, LOWER);

    const w = await api.verifications.create({ to: LOWER, channel: 'email' });
    const canceled = await api.verifications(MIXED).update({ status: 'canceled' });
    assert.equal(canceled.sid, w.sid);
    assert.equal(canceled.to, LOWER);
  });

  await t.test('the Attempts API filters ChannelData.To in any case and reports the address lower-cased', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: MIXED, channel: 'email' });
    const attempts = await acct.client.verify.v2.verificationAttempts.list({ 'channelData.to': UPPER });
    assert.deepEqual(attempts.map((a) => a.verificationSid), [v.sid]);
    const [attempt] = attempts;
    assert.ok(attempt);
    assert.equal((attempt.channelData as { to: string }).to, LOWER);
    const fetched = await acct.client.verify.v2.verificationAttempts(attempt.sid).fetch();
    assert.equal((fetched.channelData as { to: string }).to, LOWER);
  });
}, CLOCK);
