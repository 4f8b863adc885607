/**
 * The lookup's mappings: libphonenumber's and Lookup v2's line types to Verify's, carrier names to
 * MCC/MNC, and the start's rules (who is looked up, Canada, 60205).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TwilioError } from '../../src/domain/errors.js';
import { UNKNOWN_CARRIER, type CarrierInfo, type LookupTarget } from '../../src/domain/ports/lookup.js';
import type { Service } from '../../src/domain/types.js';
import { lookupForStart } from '../../src/domain/verification/lookup.js';
import { lineTypeOf, lineTypeOfV2 } from '../../src/lookup/line-type.js';
import { networkCodes } from '../../src/lookup/mcc-mnc.js';
import { service } from '../store/fixtures.js';

test('libphonenumber types: fixed-or-mobile (NANP) counts as mobile; types Verify has no name for are unknown', () => {
  const cases = [
    ['MOBILE', 'mobile'],
    ['FIXED_LINE_OR_MOBILE', 'mobile'],
    ['FIXED_LINE', 'landline'],
    ['VOIP', 'voip'],
    ['TOLL_FREE', null],
    ['PREMIUM_RATE', null],
    ['SHARED_COST', null],
    ['PERSONAL_NUMBER', null],
    ['PAGER', null],
    ['UAN', null],
    ['VOICEMAIL', null],
    [undefined, null],
  ] as const;
  for (const [type, expected] of cases) assert.equal(lineTypeOf(type), expected, String(type));
});

test('Lookup v2 types: both VoIP kinds are voip; the others Verify has no name for, and anything else, are unknown', () => {
  const cases: Array<[unknown, string | null]> = [
    ['mobile', 'mobile'],
    ['landline', 'landline'],
    ['fixedVoip', 'voip'],
    ['nonFixedVoip', 'voip'],
    ['tollFree', null],
    ['personal', null],
    ['unknown', null],
    ['toString', null],
    [null, null],
    [7, null],
  ];
  for (const [type, expected] of cases) assert.equal(lineTypeOfV2(type), expected, String(type));
});

test('MCC/MNC by country and carrier name: exact, prefix, aliased; only operational networks; else null', () => {
  assert.deepEqual(networkCodes('GB', 'EE'), { mcc: '234', mnc: '30' }, 'exact brand');
  assert.deepEqual(networkCodes('GB', 'O2'), { mcc: '234', mnc: '02' }, 'a brand starting with the name: O2 (UK)');
  assert.deepEqual(networkCodes('GB', 'Three'), { mcc: '234', mnc: '20' }, 'aliased to the brand 3');
  assert.deepEqual(networkCodes('DE', 'T-Mobile'), { mcc: '262', mnc: '01' }, 'aliased to Telekom in Germany');
  assert.deepEqual(networkCodes('US', 'T-Mobile'), { mcc: '310', mnc: '120' }, 'not aliased elsewhere: the first T-Mobile US network');
  assert.deepEqual(networkCodes('JP', 'KDDI'), { mcc: '440', mnc: '01' }, 'an operator starting with the name');
  assert.deepEqual(networkCodes('AU', 'Optus'), { mcc: '505', mnc: '02' }, 'an entry listing several countries (AU/CC/CX)');
  assert.deepEqual(networkCodes('IN', 'airtel'), { mcc: '404', mnc: '02' }, 'case and punctuation do not matter');
  assert.equal(networkCodes('IN', 'Aircel'), null, 'a network no longer operational');
  assert.equal(networkCodes('GB', 'No Such Carrier'), null);
  assert.equal(networkCodes('ZZ', 'EE'), null);
  assert.equal(networkCodes('GB', '---'), null);
});

/** A provider that records what it was asked and answers `answer`. */
function provider(answer: CarrierInfo) {
  const asked: LookupTarget[] = [];
  return { asked, provider: { lookup: async (t: LookupTarget) => (asked.push(t), answer) } };
}

const svc = (config: Partial<Service['config']>): Service => {
  const s = service('AC' + '1'.repeat(32));
  return { ...s, config: { ...s.config, ...config } };
};
const LANDLINE: CarrierInfo = { ...UNKNOWN_CARRIER, type: 'landline' };

test('who is looked up: phone channels of services with LookupEnabled; never e-mail', async () => {
  const p = provider(LANDLINE);
  const deps = { provider: p.provider, canadaEnabled: false };
  assert.equal(await lookupForStart(deps, svc({ lookupEnabled: false }), 'sms', '+442071838750', 'GB'), null);
  assert.equal(await lookupForStart(deps, svc({ lookupEnabled: true }), 'email', 'a@example.com', null), null);
  for (const channel of ['sms', 'call', 'whatsapp', 'sna'] as const) {
    assert.deepEqual(await lookupForStart(deps, svc({ lookupEnabled: true }), channel, '+442071838750', 'GB'), LANDLINE);
  }
  assert.deepEqual(p.asked, Array(4).fill({ e164: '+442071838750', country: 'GB' }));
});

test('Canada: 60601 without asking the provider, unless Canadian carrier data is enabled', async () => {
  const mobile = { ...UNKNOWN_CARRIER, type: 'mobile' as const, name: 'Rogers Wireless' };
  const p = provider(mobile);
  const on = svc({ lookupEnabled: true });
  assert.deepEqual(await lookupForStart({ provider: p.provider, canadaEnabled: false }, on, 'sms', '+16135550123', 'CA'), { ...UNKNOWN_CARRIER, errorCode: 60601 });
  assert.deepEqual(p.asked, []);
  assert.deepEqual(await lookupForStart({ provider: p.provider, canadaEnabled: true }, on, 'sms', '+16135550123', 'CA'), mobile);
});

test('60205: sms (only) to a landline on a service that skips them', async () => {
  const deps = { provider: provider(LANDLINE).provider, canadaEnabled: false };
  const skipping = svc({ lookupEnabled: true, skipSmsToLandlines: true });
  await assert.rejects(lookupForStart(deps, skipping, 'sms', '+442071838750', 'GB'), (e) => e instanceof TwilioError && e.code === 60205 && e.status === 403);
  assert.deepEqual(await lookupForStart(deps, skipping, 'call', '+442071838750', 'GB'), LANDLINE);
  const mobileDeps = { provider: provider({ ...UNKNOWN_CARRIER, type: 'mobile' }).provider, canadaEnabled: false };
  assert.equal((await lookupForStart(mobileDeps, skipping, 'sms', '+447400123456', 'GB'))?.type, 'mobile');
  const unknownDeps = { provider: provider(UNKNOWN_CARRIER).provider, canadaEnabled: false };
  assert.equal((await lookupForStart(unknownDeps, skipping, 'sms', '+447400123456', 'GB'))?.type, null, 'an unknown type is sent to');
});
