/**
 * VerificationCheck (POST /v2/Services/{sid}/VerificationCheck) through the official SDK: by To or
 * VerificationSid, right and wrong codes, the five-check limit, PSD2 dynamic linking and custom
 * codes. Both backends.
 */
import assert from 'node:assert/strict';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup } from '../support/server.js';

const US = '+15017122661';
const GB = '+447400123456';

/** A code of the right length that is not `code`. */
const wrong = (code: string) => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

onEachBackend('verification checks', async (t, server) => {
  await t.test('the right code by To: 200 approved, with the VerificationCheck fields and no url', async () => {
    const { acct, svc } = await setup(server);
    const v = await acct.client.verify.v2.services(svc.sid).verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    const res = await server.fetch(`/v2/Services/${svc.sid}/VerificationCheck`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: US, Code: code }).toString(),
      auth: { user: acct.sid, pass: acct.authToken },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'account_sid', 'amount', 'channel', 'date_created', 'date_updated', 'payee',
      'service_sid', 'sid', 'sna_attempts_error_codes', 'status', 'to', 'valid',
    ]);
    assert.equal(body.sid, v.sid);
    assert.equal(body.service_sid, svc.sid);
    assert.equal(body.account_sid, acct.sid);
    assert.equal(body.to, US);
    assert.equal(body.channel, 'sms');
    assert.equal(body.status, 'approved');
    assert.equal(body.valid, true);
    assert.equal(body.amount, null);
    assert.equal(body.payee, null);
    // The contract: null when the last channel was not sna.
    assert.equal(body.sna_attempts_error_codes, null);
  });

  await t.test('the right code by VerificationSid through the SDK', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'whatsapp' });
    const { code } = await server.latestMessage(acct, US);
    const c = await api.verificationChecks.create({ verificationSid: v.sid, code });
    assert.equal(c.sid, v.sid);
    assert.equal(c.status, 'approved');
    assert.equal(c.valid, true);
    assert.equal(c.channel, 'whatsapp');
    assert.ok(c.dateUpdated instanceof Date);
  });

  await t.test('To and VerificationSid together must name the same verification', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    await api.verifications.create({ to: GB, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    await rejectsWith(api.verificationChecks.create({ verificationSid: v.sid, to: GB, code }), 404, 20404);
    assert.equal((await api.verificationChecks.create({ verificationSid: v.sid, to: US, code })).status, 'approved');
  });

  await t.test('neither To nor VerificationSid: 400 60221; bad Code or VerificationSid: 60200', async () => {
    const { acct, svc, api } = await setup(server);
    await api.verifications.create({ to: US, channel: 'sms' });
    await rejectsWith(api.verificationChecks.create({ code: '123456' }), 400, 60221);
    const res = await server.fetch(`/v2/Services/${svc.sid}/VerificationCheck`, { method: 'POST', auth: { user: acct.sid, pass: acct.authToken } });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { code: number }).code, 60221);
    await rejectsWith(api.verificationChecks.create({ to: US, code: '123' }), 400, 60200, 'Invalid parameter: Code');
    await rejectsWith(api.verificationChecks.create({ to: US, code: '12345678901' }), 400, 60200, 'Invalid parameter: Code');
    await rejectsWith(api.verificationChecks.create({ to: US }), 400, 60200, 'Invalid parameter: Code');
    await rejectsWith(api.verificationChecks.create({ verificationSid: 'XX123', code: '123456' }), 400, 60200, 'Invalid parameter: VerificationSid');
    // None of these counted as a check.
    const { code } = await server.latestMessage(acct, US);
    const v = await server.stores.verifications.getPendingByTo(svc.sid, US);
    assert.equal(v?.checkCount, 0);
    assert.equal((await api.verificationChecks.create({ to: US, code })).status, 'approved');
  });

  await t.test('a check for a To with nothing pending is 404 naming VerificationCheck', async () => {
    const { svc, api } = await setup(server);
    await rejectsWith(api.verificationChecks.create({ to: US, code: '123456' }), 404, 20404, `The requested resource /Services/${svc.sid}/VerificationCheck was not found`);
    await rejectsWith(api.verificationChecks.create({ verificationSid: `VE${'a'.repeat(32)}`, code: '123456' }), 404, 20404);
  });

  await t.test('a wrong code is 200 pending, valid false; the right one still approves', async () => {
    const { acct, api } = await setup(server);
    await api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    for (let i = 0; i < 4; i++) {
      const c = await api.verificationChecks.create({ to: US, code: wrong(code) });
      assert.equal(c.status, 'pending');
      assert.equal(c.valid, false);
    }
    const ok = await api.verificationChecks.create({ to: US, code });
    assert.equal(ok.status, 'approved');
    assert.equal(ok.valid, true);
  });

  await t.test('five wrong codes, then 429 60202 and max_attempts_reached, then 404', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    for (let i = 0; i < 5; i++) {
      assert.equal((await api.verificationChecks.create({ to: US, code: wrong(code) })).status, 'pending');
    }
    // Even the right code is refused now.
    await rejectsWith(api.verificationChecks.create({ to: US, code }), 429, 60202, 'Max (5) verification check attempts reached.');
    assert.equal((await server.stores.verifications.getVerification(svc.sid, v.sid))?.status, 'max_attempts_reached');
    const changes = await server.stores.verifications.listStatusChanges(v.sid);
    assert.deepEqual(changes.at(-1) && [changes.at(-1)!.fromStatus, changes.at(-1)!.toStatus, changes.at(-1)!.cause], ['pending', 'max_attempts_reached', 'check']);
    const gone = `The requested resource /Services/${svc.sid}/VerificationCheck was not found`;
    await rejectsWith(api.verificationChecks.create({ to: US, code }), 404, 20404, gone);
    await rejectsWith(api.verificationChecks.create({ verificationSid: v.sid, code }), 404, 20404, gone);
    const path = `The requested resource /Services/${svc.sid}/Verifications/${v.sid} was not found`;
    await rejectsWith(api.verifications(v.sid).fetch(), 404, 20404, path);
    await rejectsWith(api.verifications(v.sid).update({ status: 'approved' }), 404, 20404, path);
    // No fresh start (and five fresh guesses) until the locked-out verification's validity ends.
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms' }), 429, 60202, 'Max (5) verification check attempts reached.');
  });

  await t.test('PSD2: the check must present the same Amount and Payee', async () => {
    const { acct, api } = await setup(server, { psd2Enabled: true });
    const v = await api.verifications.create({ to: US, channel: 'sms', amount: '€39.99', payee: 'Acme Ltd' });
    const m = await server.latestMessage(acct, US);
    assert.equal(m.body, `Your Acme verification code to authorize a payment of €39.99 to Acme Ltd is: ${m.code}`);
    const attempts: Array<[Record<string, string>, string]> = [
      [{}, 'no amount or payee'],
      [{ amount: '€40.00', payee: 'Acme Ltd' }, 'wrong amount'],
      [{ amount: '€39.99', payee: 'Mallory' }, 'wrong payee'],
      [{ amount: '€39.99' }, 'missing payee'],
    ];
    for (const [extra, why] of attempts) {
      const c = await api.verificationChecks.create({ to: US, code: m.code, ...extra });
      assert.equal(c.status, 'pending', why);
      assert.equal(c.valid, false, why);
      assert.equal(c.amount, '€39.99');
      assert.equal(c.payee, 'Acme Ltd');
    }
    const ok = await api.verificationChecks.create({ verificationSid: v.sid, code: m.code, amount: '€39.99', payee: 'Acme Ltd' });
    assert.equal(ok.status, 'approved');
    assert.equal(ok.valid, true);
  });

  await t.test('PSD2: a wrong code with the right amount and payee fails', async () => {
    const { acct, api } = await setup(server, { psd2Enabled: true });
    await api.verifications.create({ to: GB, channel: 'sms', amount: '10 GBP', payee: 'Shop' });
    const { code } = await server.latestMessage(acct, GB);
    const c = await api.verificationChecks.create({ to: GB, code: wrong(code), amount: '10 GBP', payee: 'Shop' });
    assert.equal(c.status, 'pending');
  });

  await t.test('custom codes are delivered and checked the same way', async () => {
    const { acct, api } = await setup(server, { customCodeEnabled: true });
    const v = await api.verifications.create({ to: US, channel: 'sms', customCode: 'AB12cd' });
    const m = await server.latestMessage(acct, US);
    assert.equal(m.code, 'AB12cd');
    assert.equal(m.body, 'Your Acme verification code is: AB12cd');
    assert.equal((await api.verificationChecks.create({ to: US, code: 'AB12ce' })).status, 'pending');
    const ok = await api.verificationChecks.create({ verificationSid: v.sid, code: 'AB12cd' });
    assert.equal(ok.status, 'approved');
    assert.equal(ok.valid, true);
  });

  await t.test('the service code length applies to generated codes', async () => {
    const { acct, api } = await setup(server, { codeLength: 8 });
    await api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    assert.match(code, /^\d{8}$/);
    assert.equal((await api.verificationChecks.create({ to: US, code })).status, 'approved');
  });
});
