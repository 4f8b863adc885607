/**
 * The Twilio Lookup v2 provider (VERIFYD_CONFIG `lookup: {type: twilio, ...}`) against a stand-in
 * that checks Basic auth and the path: its answer fills `lookup.carrier` and the attempt (a NANP
 * number it says is a landline is refused by SkipSmsToLandlines, which the bundled data alone would
 * count as mobile); Canada is asked when `canada_carrier_data` is on; when the provider fails,
 * never answers, or refuses the credentials, the start still answers 201 with the bundled data and
 * error code 60608. Both backends.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { onEachBackend, setup } from '../support/server.js';
import { TwilioLookupStandIn, type LineTypeIntelligence } from '../support/twilio-lookup.js';

const ACCOUNT = { sid: 'AC' + 'b'.repeat(32), token: 'lookup-secret-token', canadaApproved: true };

const lti = (type: string, carrier_name: string | null, mcc: string | null = null, mnc: string | null = null): LineTypeIntelligence => ({
  carrier_name,
  mobile_country_code: mcc,
  mobile_network_code: mnc,
  type,
  error_code: null,
});

const NUMBERS = {
  '+15017122661': lti('landline', 'Windstream Communications'),
  '+14159929960': lti('nonFixedVoip', 'Bandwidth/13 - Bandwidth.com - SVR', '313', '981'),
  '+14155552671': lti('mobile', 'T-Mobile USA, Inc.', '311', '180'),
  '+16135550123': lti('mobile', 'Rogers Wireless', '302', '720'),
  '+8613800138000': lti('tollFree', null),
};

const standIn = await TwilioLookupStandIn.start(ACCOUNT, NUMBERS);
const dir = mkdtempSync(join(tmpdir(), 'verifyd-lookup-'));

/**
 * A VERIFYD_CONFIG naming the stand-in, with the auth token read from LOOKUP_TOKEN. Where answers
 * are expected the timeout is long enough for a loaded machine; the short one is for the hang.
 */
function configFile(name: string, canada: boolean, timeoutMs: number): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `lookup:
  type: twilio
  account_sid: ${ACCOUNT.sid}
  auth_token: \${LOOKUP_TOKEN}
  api_base_url: ${standIn.url}/
  timeout_ms: ${timeoutMs}
  canada_carrier_data: ${canada}
`,
  );
  return path;
}

after(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

const carrier = (type: string | null, name: string | null, mcc: string | null, mnc: string | null, errorCode: number | null = null) => ({
  carrier: { mobile_country_code: mcc, type, error_code: errorCode, mobile_network_code: mnc, name },
});

onEachBackend(
  'carrier lookup through Twilio Lookup v2',
  async (t, server) => {
    await t.test("the provider's answer is the lookup: path, Basic auth and Fields as Lookup v2 requires", async () => {
      const { acct, api } = await setup(server, { lookupEnabled: true });
      const seen = standIn.requests.length;
      const cases: Array<[string, ReturnType<typeof carrier>]> = [
        ['+14155552671', carrier('mobile', 'T-Mobile USA, Inc.', '311', '180')],
        ['+14159929960', carrier('voip', 'Bandwidth/13 - Bandwidth.com - SVR', '313', '981')],
        ['+16135550123', carrier('mobile', 'Rogers Wireless', '302', '720')],
        // A type Verify's lookup has no name for is unknown.
        ['+8613800138000', carrier(null, null, null, null)],
      ];
      for (const [to, expected] of cases) {
        const v = await api.verifications.create({ to, channel: 'sms' });
        assert.deepEqual(v.lookup, expected, to);
        assert.deepEqual((await api.verifications(v.sid).fetch()).lookup, expected, `${to}: fetch`);
        const data = (await acct.client.verify.v2.verificationAttempts(v.sendCodeAttempts[0]!.attempt_sid).fetch()).channelData as Record<string, unknown>;
        assert.deepEqual([data.mcc, data.mnc, data.carrier], [expected.carrier.mobile_country_code, expected.carrier.mobile_network_code, expected.carrier.name]);
      }
      assert.deepEqual(
        standIn.requests.slice(seen),
        cases.map(([to]) => ({ method: 'GET', path: `/v2/PhoneNumbers/${encodeURIComponent(to)}`, fields: 'line_type_intelligence', authorized: true })),
      );
    });

    await t.test('a NANP number the provider says is a landline: 60205 with SkipSmsToLandlines, nothing stored', async () => {
      const { acct, api } = await setup(server, { lookupEnabled: true, skipSmsToLandlines: true });
      await assert.rejects(api.verifications.create({ to: '+15017122661', channel: 'sms' }), { status: 403, code: 60205 });
      assert.deepEqual(await acct.client.verify.v2.verificationAttempts.list({ 'channelData.to': '+15017122661' }), []);
      const call = await api.verifications.create({ to: '+15017122661', channel: 'call' });
      assert.deepEqual(call.lookup, carrier('landline', 'Windstream Communications', null, null));
    });

    await t.test('the provider fails (500): 201 with the bundled data and 60608', async () => {
      const { api } = await setup(server, { lookupEnabled: true });
      standIn.fail({ status: 500 });
      const failed = await api.verifications.create({ to: '+447400123456', channel: 'sms' });
      assert.deepEqual(failed.lookup, carrier('mobile', 'Three', '234', '20', 60608));
      // A NANP number the provider cannot answer for counts as mobile: its sms goes out.
      const skipping = await setup(server, { lookupEnabled: true, skipSmsToLandlines: true });
      standIn.fail({ status: 503 });
      const nanp = await skipping.api.verifications.create({ to: '+15017122661', channel: 'sms' });
      assert.deepEqual(nanp.lookup, carrier('mobile', null, null, null, 60608));
    });
  },
  { env: { VERIFYD_CONFIG: configFile('verifyd.yaml', true, 10_000), LOOKUP_TOKEN: ACCOUNT.token } },
);

onEachBackend(
  'carrier lookup through Twilio Lookup v2 with the wrong credentials and without Canadian carrier data',
  async (t, server) => {
    // The timeout here is short (for the hang below); a slow 401 ends the same way.
    await t.test('credentials the provider refuses (401): 201 with the bundled data and 60608', async () => {
      const { api } = await setup(server, { lookupEnabled: true });
      const seen = standIn.requests.length;
      const v = await api.verifications.create({ to: '+33612345678', channel: 'sms' });
      assert.deepEqual(v.lookup, carrier('mobile', 'SFR', '208', '08', 60608));
      assert.deepEqual(standIn.requests.slice(seen).map((r) => r.authorized), [false]);
    });

    await t.test('a provider that never answers: the start answers 201 after timeout_ms, with the bundled data and 60608', async () => {
      const { api } = await setup(server, { lookupEnabled: true });
      standIn.fail('hang');
      const hung = await api.verifications.create({ to: '+442071838750', channel: 'call' });
      assert.equal(hung.status, 'pending');
      assert.deepEqual(hung.lookup, carrier('landline', null, null, null, 60608));
    });

    await t.test('a Canadian number is not sent to the provider: 60601, as Twilio answers without the approval', async () => {
      const { api } = await setup(server, { lookupEnabled: true });
      const seen = standIn.requests.length;
      const v = await api.verifications.create({ to: '+16135550123', channel: 'sms' });
      assert.deepEqual(v.lookup, carrier(null, null, null, null, 60601));
      assert.equal(standIn.requests.length, seen);
    });
  },
  { env: { VERIFYD_CONFIG: configFile('wrong-token.yaml', false, 300), LOOKUP_TOKEN: 'not-the-token' } },
);
