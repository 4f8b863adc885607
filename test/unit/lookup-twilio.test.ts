/**
 * TwilioLookup on its own against the Lookup v2 stand-in: the provider's own error codes pass
 * through (60601 for Canada on an account without the approval), a failure falls back to the
 * bundled data with 60608, and the warning it logs names the reason, never the number.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BundledLookup } from '../../src/lookup/bundled.js';
import { TwilioLookup } from '../../src/lookup/twilio.js';
import { TwilioLookupStandIn } from '../support/twilio-lookup.js';
import { REFUSED_HOST } from '../support/local-http.js';

const ACCOUNT = { sid: 'AC' + 'c'.repeat(32), token: 'tok', canadaApproved: false };
const standIn = await TwilioLookupStandIn.start(ACCOUNT, {
  '+447400123456': { carrier_name: 'Vodafone UK', mobile_country_code: '234', mobile_network_code: '15', type: 'mobile', error_code: null },
});
after(() => standIn.close());

/** Answers are awaited long enough for a loaded machine; only the hang is meant to time out (`timeoutMs`). */
function lookup(token = ACCOUNT.token, timeoutMs = 10_000) {
  const warnings: Array<{ obj: object; msg: string }> = [];
  const provider = new TwilioLookup(
    { type: 'twilio', canada_carrier_data: true, account_sid: ACCOUNT.sid, auth_token: token, api_base_url: standIn.url, timeout_ms: timeoutMs },
    new BundledLookup(),
    { warn: (obj, msg) => warnings.push({ obj, msg }) },
  );
  return { provider, warnings };
}

test("the provider's answer over the bundled data (a ported number), its own error codes included", async () => {
  const { provider, warnings } = lookup();
  // Google's prefixes say Three; the provider knows the number moved to Vodafone.
  assert.deepEqual(await provider.lookup({ e164: '+447400123456', country: 'GB' }), {
    mobileCountryCode: '234',
    mobileNetworkCode: '15',
    name: 'Vodafone UK',
    type: 'mobile',
    errorCode: null,
  });
  // Canada asked of an account Twilio has not approved: Twilio's 60601, as it answered.
  assert.deepEqual(await provider.lookup({ e164: '+16135550123', country: 'CA' }), { mobileCountryCode: null, mobileNetworkCode: null, name: null, type: null, errorCode: 60601 });
  // A number the provider has nothing on: its 60600, no fallback.
  assert.deepEqual(await provider.lookup({ e164: '+33612345678', country: 'FR' }), { mobileCountryCode: null, mobileNetworkCode: null, name: null, type: null, errorCode: 60600 });
  assert.deepEqual(warnings, []);
});

test('failures: the bundled data with 60608, and a warning with the reason and without the number', async () => {
  const { provider, warnings } = lookup('wrong');
  const bundled = { mobileCountryCode: '234', mobileNetworkCode: '20', name: 'Three', type: 'mobile', errorCode: 60608 };
  assert.deepEqual(await provider.lookup({ e164: '+447400123456', country: 'GB' }), bundled);
  const ok = lookup();
  standIn.fail({ status: 502 });
  assert.deepEqual(await ok.provider.lookup({ e164: '+447400123456', country: 'GB' }), bundled);
  const impatient = lookup(ACCOUNT.token, 200);
  standIn.fail('hang');
  assert.deepEqual(await impatient.provider.lookup({ e164: '+447400123456', country: 'GB' }), bundled);
  const all = [...warnings, ...ok.warnings, ...impatient.warnings];
  assert.deepEqual(all.map((w) => (w.obj as { reason: string }).reason), ['answered 401 (code 20003)', 'answered 502 (code 20500)', 'no answer within 200 ms']);
  assert.ok(!JSON.stringify(all).includes('7400123456'), 'the number is not logged');
});

test('an unreachable provider: the bundled data with 60608', async () => {
  const provider = new TwilioLookup(
    { type: 'twilio', canada_carrier_data: false, account_sid: ACCOUNT.sid, auth_token: 'tok', api_base_url: `http://${REFUSED_HOST}`, timeout_ms: 200 },
    new BundledLookup(),
    { warn: () => undefined },
  );
  assert.deepEqual(await provider.lookup({ e164: '+442071838750', country: 'GB' }), { mobileCountryCode: null, mobileNetworkCode: null, name: null, type: 'landline', errorCode: 60608 });
});
