/**
 * Carrier lookup through the official SDK: a service with LookupEnabled fills each verification's
 * `lookup.carrier` from the bundled data (line type, carrier, MCC/MNC), a fetch answers the same,
 * and the attempt's channel_data carries the network codes and carrier; SkipSmsToLandlines answers
 * 60205 to an sms start to a landline and stores nothing; without LookupEnabled `lookup` is `{}` as
 * before. Both backends.
 */
import assert from 'node:assert/strict';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

interface Carrier {
  mobile_country_code: string | null;
  type: string | null;
  error_code: number | null;
  mobile_network_code: string | null;
  name: string | null;
}

const carrier = (type: string | null, name: string | null = null, mcc: string | null = null, mnc: string | null = null, errorCode: number | null = null): Carrier => ({
  mobile_country_code: mcc,
  type,
  error_code: errorCode,
  mobile_network_code: mnc,
  name,
});

/**
 * Numbers whose prefixes are in Google's carrier data (or, for NANP, that have none), with what the
 * bundled lookup answers. NANP cannot tell mobile from fixed: mobile. Canada: no carrier data
 * (60601) unless the deployment enables it.
 */
const TABLE: Array<{ country: string; to: string; expected: Carrier }> = [
  { country: 'US', to: '+15017122661', expected: carrier('mobile') },
  { country: 'CA', to: '+16135550123', expected: carrier(null, null, null, null, 60601) },
  { country: 'GB', to: '+447400123456', expected: carrier('mobile', 'Three', '234', '20') },
  { country: 'GB', to: '+442071838750', expected: carrier('landline') },
  { country: 'DE', to: '+4915123456789', expected: carrier('mobile', 'T-Mobile', '262', '01') },
  { country: 'DE', to: '+493012345678', expected: carrier('landline') },
  { country: 'FR', to: '+33612345678', expected: carrier('mobile', 'SFR', '208', '08') },
  { country: 'IN', to: '+919876543210', expected: carrier('mobile', 'Airtel', '404', '02') },
  { country: 'BR', to: '+5511987654321', expected: carrier('mobile', 'TIM', '724', '02') },
  { country: 'BR', to: '+551133334444', expected: carrier('landline') },
  { country: 'NG', to: '+2348031234567', expected: carrier('mobile', 'MTN', '621', '30') },
  { country: 'JP', to: '+819012345678', expected: carrier('mobile', 'KDDI', '440', '01') },
  { country: 'AU', to: '+61412345678', expected: carrier('mobile', 'Optus', '505', '02') },
  { country: 'AU', to: '+61298765432', expected: carrier('landline') },
  { country: 'CO', to: '+573003003030', expected: carrier('mobile', 'Tigo', '732', '020') },
];

async function attemptChannelData(acct: Account, vl: string): Promise<Record<string, unknown>> {
  return (await acct.client.verify.v2.verificationAttempts(vl).fetch()).channelData as Record<string, unknown>;
}

/** Nothing of a refused start: no verification for the number, no attempt, no message. */
async function assertNothingStored(server: TestServer, acct: Account, serviceSid: string, to: string): Promise<void> {
  const auth = { user: acct.sid, pass: acct.authToken };
  const fetched = await server.fetch(`/v2/Services/${serviceSid}/Verifications/${encodeURIComponent(to)}`, { auth });
  assert.equal(fetched.status, 404, 'no verification');
  assert.deepEqual(await acct.client.verify.v2.verificationAttempts.list({ 'channelData.to': to }), [], 'no attempt');
  const inbox = (await (await server.fetch(`/inbox/messages?To=${encodeURIComponent(to)}`, { auth })).json()) as { messages: unknown[] };
  assert.deepEqual(inbox.messages, [], 'nothing sent');
}

onEachBackend('carrier lookup', async (t, server) => {
  await t.test('each number of the table: lookup.carrier on the start and on a fetch, network codes and carrier on the attempt', async () => {
    const { acct, api } = await setup(server, { lookupEnabled: true });
    for (const { country, to, expected } of TABLE) {
      const v = await api.verifications.create({ to, channel: 'sms' });
      assert.deepEqual(v.lookup, { carrier: expected }, `${country} ${to}: start`);
      // Twilio's field order, as the spec example has it.
      assert.deepEqual(Object.keys((v.lookup as { carrier: Carrier }).carrier), ['mobile_country_code', 'type', 'error_code', 'mobile_network_code', 'name']);
      assert.deepEqual((await api.verifications(v.sid).fetch()).lookup, { carrier: expected }, `${country} ${to}: fetch`);
      const data = await attemptChannelData(acct, v.sendCodeAttempts[0]!.attempt_sid);
      assert.deepEqual(
        { country: data.country, mcc: data.mcc, mnc: data.mnc, carrier: data.carrier },
        { country, mcc: expected.mobile_country_code, mnc: expected.mobile_network_code, carrier: expected.name },
        `${country} ${to}: attempt`,
      );
    }
    // An e-mail address is not a phone number: nothing to look up.
    assert.deepEqual((await api.verifications.create({ to: 'ann@example.com', channel: 'email' })).lookup, {});
  });

  await t.test('the same starts on a service without LookupEnabled: lookup is {} and the attempt has no network codes or carrier, as before', async () => {
    const { acct, api } = await setup(server);
    const enabled = await setup(server, { lookupEnabled: true }, acct);
    for (const to of ['+447400123456', '+4915123456789']) {
      const off = await api.verifications.create({ to, channel: 'sms' });
      assert.deepEqual(off.lookup, {});
      assert.deepEqual((await api.verifications(off.sid).fetch()).lookup, {});
      const data = await attemptChannelData(acct, off.sendCodeAttempts[0]!.attempt_sid);
      assert.deepEqual([data.mcc, data.mnc, data.carrier], [null, null, null]);
      // The difference is the service's flag alone.
      assert.notDeepEqual((await enabled.api.verifications.create({ to, channel: 'sms' })).lookup, {});
    }
  });

  await t.test('a resend looks the number up again; the call channel is looked up too', async () => {
    const { acct, api } = await setup(server, { lookupEnabled: true });
    const to = '+33612345678';
    await api.verifications.create({ to, channel: 'sms' });
    const again = await api.verifications.create({ to, channel: 'call' });
    assert.equal(again.sendCodeAttempts.length, 2);
    assert.deepEqual(again.lookup, { carrier: carrier('mobile', 'SFR', '208', '08') });
    const data = await attemptChannelData(acct, again.sendCodeAttempts[1]!.attempt_sid);
    assert.deepEqual([data.mcc, data.mnc, data.carrier], ['208', '08', 'SFR']);
  });

  await t.test('SkipSmsToLandlines: an sms start to a landline answers 60205 (403) and stores and sends nothing', async () => {
    const { acct, svc, api } = await setup(server, { lookupEnabled: true, skipSmsToLandlines: true });
    for (const to of ['+442071838750', '+493012345678']) {
      await assert.rejects(api.verifications.create({ to, channel: 'sms' }), (err: { status: number; code: number; message: string }) => {
        assert.equal(err.status, 403);
        assert.equal(err.code, 60205);
        assert.equal(err.message, 'SMS is not supported by landline phone number');
        return true;
      });
      await assertNothingStored(server, acct, svc.sid, to);
    }
    // Twilio: SkipSmsToLandlines "requires lookup_enabled". Without a lookup nobody knows it is a landline.
    const unlooked = await setup(server, { skipSmsToLandlines: true }, acct);
    const v = await unlooked.api.verifications.create({ to: '+442071838750', channel: 'sms' });
    assert.equal(v.status, 'pending');
    assert.deepEqual(v.lookup, {});
  });

  await t.test('SkipSmsToLandlines: auto (sms) to a landline is refused too; a call to it, and sms to mobiles and NANP numbers, go out', async () => {
    const { api } = await setup(server, { lookupEnabled: true, skipSmsToLandlines: true });
    await assert.rejects(api.verifications.create({ to: '+61298765432', channel: 'auto' }), { code: 60205 });
    const call = await api.verifications.create({ to: '+61298765432', channel: 'call' });
    assert.deepEqual(call.lookup, { carrier: carrier('landline') });
    for (const to of ['+61412345678', '+15017122661']) assert.equal((await api.verifications.create({ to, channel: 'sms' })).status, 'pending');
  });
});
