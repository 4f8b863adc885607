/**
 * Services create/fetch/update through the official twilio SDK, on both backends. Raw HTTP
 * only to look at the JSON itself (snake_case keys, arrays, URLs), which the SDK hides.
 */
import assert from 'node:assert/strict';
import { sid } from '../support/assertions.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';
import { seedTemplate } from '../support/templates.js';

const START = new Date('2024-03-01T12:00:00.000Z');
/** The servers run on a ManualClock starting at START. */
const CLOCK = { start: START };

/** Every create parameter twilio-node knows, each with a non-default value. */
const FULL = {
  friendlyName: 'Full Service',
  codeLength: 8,
  lookupEnabled: true,
  skipSmsToLandlines: true,
  dtmfInputRequired: true,
  ttsName: 'Polly.Joanna',
  psd2Enabled: true,
  doNotShareWarningEnabled: true,
  customCodeEnabled: true,
  'push.includeDate': true,
  'push.apnCredentialSid': sid('CR', 'a'),
  'push.fcmCredentialSid': sid('CR', 'b'),
  'totp.issuer': 'Acme Issuer',
  'totp.timeStep': 45,
  'totp.codeLength': 7,
  'totp.skew': 2,
  defaultTemplateSid: sid('HJ', 'c'),
  'whatsapp.msgServiceSid': sid('MG', 'd'),
  'whatsapp.from': 'whatsapp:+15017122661',
  'passkeys.relyingParty.id': 'www.mydomain.com',
  'passkeys.relyingParty.name': 'My domain',
  'passkeys.relyingParty.origins': 'www.mydomain.com,www.login.mydomain.com',
  'passkeys.authenticatorAttachment': 'cross-platform',
  'passkeys.discoverableCredentials': 'preferred',
  'passkeys.userVerification': 'discouraged',
  verifyEventSubscriptionEnabled: true,
};

const FULL_NESTED = {
  push: { include_date: true, apn_credential_sid: sid('CR', 'a'), fcm_credential_sid: sid('CR', 'b') },
  totp: { issuer: 'Acme Issuer', time_step: 45, code_length: 7, skew: 2 },
  whatsapp: { msg_service_sid: sid('MG', 'd'), from: 'whatsapp:+15017122661' },
  passkeys: {
    relying_party: { id: 'www.mydomain.com', name: 'My domain', origins: ['www.mydomain.com', 'www.login.mydomain.com'] },
    authenticator_attachment: 'cross-platform',
    discoverable_credentials: 'preferred',
    user_verification: 'discouraged',
  },
};

const DEFAULT_NESTED = {
  push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
  totp: { issuer: null, time_step: null, code_length: null, skew: null },
  whatsapp: { msg_service_sid: null, from: null },
  passkeys: {
    relying_party: { id: null, name: null, origins: null },
    authenticator_attachment: null,
    discoverable_credentials: null,
    user_verification: null,
  },
};

const LINK_KEYS = ['access_tokens', 'entities', 'messaging_configurations', 'rate_limits', 'verification_checks', 'verifications', 'webhooks'];
const LINK_PATHS: Record<string, string> = {
  verification_checks: 'VerificationCheck',
  verifications: 'Verifications',
  rate_limits: 'RateLimits',
  messaging_configurations: 'MessagingConfigurations',
  entities: 'Entities',
  webhooks: 'Webhooks',
  access_tokens: 'AccessTokens',
};
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

async function rawGet(server: TestServer, acct: Account, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

onEachBackend('create with every parameter echoes each one back', async (t, server) => {
  const acct = await server.account();
  await seedTemplate(server.stores, acct.sid, { sid: FULL.defaultTemplateSid });
  const res = await acct.client.verify.v2.services.createWithHttpInfo(FULL);
  assert.equal(res.statusCode, 201);
  const s = res.body;

  await t.test('in the SDK resource', () => {
    assert.match(s.sid, /^VA[0-9a-f]{32}$/);
    assert.equal(s.accountSid, acct.sid);
    assert.equal(s.friendlyName, 'Full Service');
    assert.equal(s.codeLength, 8);
    assert.equal(s.lookupEnabled, true);
    assert.equal(s.skipSmsToLandlines, true);
    assert.equal(s.dtmfInputRequired, true);
    assert.equal(s.ttsName, 'Polly.Joanna');
    assert.equal(s.psd2Enabled, true);
    assert.equal(s.doNotShareWarningEnabled, true);
    assert.equal(s.customCodeEnabled, true);
    assert.equal(s.defaultTemplateSid, sid('HJ', 'c'));
    assert.equal(s.verifyEventSubscriptionEnabled, true);
    assert.deepEqual(s.push, FULL_NESTED.push);
    assert.deepEqual(s.totp, FULL_NESTED.totp);
    assert.deepEqual(s.whatsapp, FULL_NESTED.whatsapp);
    assert.deepEqual(s.passkeys, FULL_NESTED.passkeys);
    assert.deepEqual(s.dateCreated, START);
    assert.deepEqual(s.dateUpdated, START);
    assert.equal(s.url, `${server.baseUrl}/v2/Services/${s.sid}`);
    assert.deepEqual(Object.keys(s.links).sort(), LINK_KEYS);
  });

  await t.test('in the raw JSON', async () => {
    const { status, body } = await rawGet(server, acct, `/v2/Services/${s.sid}`);
    assert.equal(status, 200);
    const url = `${server.baseUrl}/v2/Services/${s.sid}`;
    assert.deepEqual(body, {
      sid: s.sid,
      account_sid: acct.sid,
      friendly_name: 'Full Service',
      code_length: 8,
      lookup_enabled: true,
      psd2_enabled: true,
      skip_sms_to_landlines: true,
      dtmf_input_required: true,
      tts_name: 'Polly.Joanna',
      do_not_share_warning_enabled: true,
      custom_code_enabled: true,
      ...FULL_NESTED,
      default_template_sid: sid('HJ', 'c'),
      verify_event_subscription_enabled: true,
      date_created: '2024-03-01T12:00:00Z',
      date_updated: '2024-03-01T12:00:00Z',
      url,
      links: Object.fromEntries(Object.entries(LINK_PATHS).map(([k, p]) => [k, `${url}/${p}`])),
    });
    assert.match(String(body.date_created), ISO);
  });

  await t.test('origins are split on commas and trimmed', async () => {
    const o = await acct.client.verify.v2.services.create({ friendlyName: 'Origins', 'passkeys.relyingParty.origins': ' a.example.com , b.example.com,c.example.com ' });
    assert.deepEqual(o.passkeys.relying_party.origins, ['a.example.com', 'b.example.com', 'c.example.com']);
    const one = await acct.client.verify.v2.services.create({ friendlyName: 'One Origin', 'passkeys.relyingParty.origins': 'only.example.com' });
    assert.deepEqual(one.passkeys.relying_party.origins, ['only.example.com']);
  });
}, CLOCK);

onEachBackend('create with only FriendlyName takes the defaults', async (_t, server) => {
  const acct = await server.account();
  const s = await acct.client.verify.v2.services.create({ friendlyName: 'Defaults Only' });
  assert.equal(s.codeLength, 6);
  for (const key of ['lookupEnabled', 'skipSmsToLandlines', 'dtmfInputRequired', 'psd2Enabled', 'doNotShareWarningEnabled', 'customCodeEnabled', 'verifyEventSubscriptionEnabled'] as const) {
    assert.equal(s[key], false, key);
  }
  assert.equal(s.ttsName, null);
  assert.equal(s.defaultTemplateSid, null);
  const { body } = await rawGet(server, acct, `/v2/Services/${s.sid}`);
  for (const [k, v] of Object.entries(DEFAULT_NESTED)) assert.deepEqual(body[k], v, k);
  assert.equal(body.tts_name, null);
  assert.equal(body.default_template_sid, null);
  assert.equal(body.code_length, 6);
}, CLOCK);

onEachBackend('fetch returns what create returned', async (_t, server) => {
  const acct = await server.account();
  await seedTemplate(server.stores, acct.sid, { sid: FULL.defaultTemplateSid });
  const created = await acct.client.verify.v2.services.create(FULL);
  const fetched = await acct.client.verify.v2.services(created.sid).fetch();
  assert.deepEqual(fetched.toJSON(), created.toJSON());
}, CLOCK);

onEachBackend('update changes only what it names and moves date_updated', async (t, server, clock) => {
  const acct = await server.account();
  await seedTemplate(server.stores, acct.sid, { sid: FULL.defaultTemplateSid });
  await seedTemplate(server.stores, acct.sid, { sid: sid('HJ', '1') });
  const created = await acct.client.verify.v2.services.create(FULL);
  let before = (await rawGet(server, acct, `/v2/Services/${created.sid}`)).body;

  // One update per parameter: the raw JSON afterwards differs from the one before exactly in `changes`.
  const cases: Array<[string, Record<string, unknown>, (b: Record<string, any>) => void]> = [
    ['friendlyName', { friendlyName: 'Renamed Service' }, (b) => (b.friendly_name = 'Renamed Service')],
    ['codeLength', { codeLength: 4 }, (b) => (b.code_length = 4)],
    ['lookupEnabled', { lookupEnabled: false }, (b) => (b.lookup_enabled = false)],
    ['skipSmsToLandlines', { skipSmsToLandlines: false }, (b) => (b.skip_sms_to_landlines = false)],
    ['dtmfInputRequired', { dtmfInputRequired: false }, (b) => (b.dtmf_input_required = false)],
    ['ttsName', { ttsName: 'Polly.Matthew' }, (b) => (b.tts_name = 'Polly.Matthew')],
    ['psd2Enabled', { psd2Enabled: false }, (b) => (b.psd2_enabled = false)],
    ['doNotShareWarningEnabled', { doNotShareWarningEnabled: false }, (b) => (b.do_not_share_warning_enabled = false)],
    ['customCodeEnabled', { customCodeEnabled: false }, (b) => (b.custom_code_enabled = false)],
    ['push.includeDate', { 'push.includeDate': false }, (b) => (b.push.include_date = false)],
    ['push.apnCredentialSid', { 'push.apnCredentialSid': sid('CR', 'e') }, (b) => (b.push.apn_credential_sid = sid('CR', 'e'))],
    ['push.fcmCredentialSid', { 'push.fcmCredentialSid': sid('CR', 'f') }, (b) => (b.push.fcm_credential_sid = sid('CR', 'f'))],
    ['totp.issuer', { 'totp.issuer': 'Other Issuer' }, (b) => (b.totp.issuer = 'Other Issuer')],
    ['totp.timeStep', { 'totp.timeStep': 20 }, (b) => (b.totp.time_step = 20)],
    ['totp.codeLength', { 'totp.codeLength': 3 }, (b) => (b.totp.code_length = 3)],
    ['totp.skew', { 'totp.skew': 0 }, (b) => (b.totp.skew = 0)],
    ['defaultTemplateSid', { defaultTemplateSid: sid('HJ', '1') }, (b) => (b.default_template_sid = sid('HJ', '1'))],
    ['whatsapp.msgServiceSid', { 'whatsapp.msgServiceSid': sid('MG', '2') }, (b) => (b.whatsapp.msg_service_sid = sid('MG', '2'))],
    ['whatsapp.from', { 'whatsapp.from': 'whatsapp:+14155238886' }, (b) => (b.whatsapp.from = 'whatsapp:+14155238886')],
    ['passkeys.relyingParty.id', { 'passkeys.relyingParty.id': 'id.example.org' }, (b) => (b.passkeys.relying_party.id = 'id.example.org')],
    ['passkeys.relyingParty.name', { 'passkeys.relyingParty.name': 'Example Org' }, (b) => (b.passkeys.relying_party.name = 'Example Org')],
    ['passkeys.relyingParty.origins', { 'passkeys.relyingParty.origins': 'x.example.org' }, (b) => (b.passkeys.relying_party.origins = ['x.example.org'])],
    ['passkeys.authenticatorAttachment', { 'passkeys.authenticatorAttachment': 'platform' }, (b) => (b.passkeys.authenticator_attachment = 'platform')],
    ['passkeys.discoverableCredentials', { 'passkeys.discoverableCredentials': 'required' }, (b) => (b.passkeys.discoverable_credentials = 'required')],
    ['passkeys.userVerification', { 'passkeys.userVerification': '' }, (b) => (b.passkeys.user_verification = '')],
    ['verifyEventSubscriptionEnabled', { verifyEventSubscriptionEnabled: false }, (b) => (b.verify_event_subscription_enabled = false)],
  ];
  for (const [name, params, change] of cases) {
    await t.test(name, async () => {
      clock.advance(1000);
      const res = await acct.client.verify.v2.services(created.sid).updateWithHttpInfo(params);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.body.dateUpdated, clock.now());
      assert.deepEqual(res.body.dateCreated, START);
      const after = (await rawGet(server, acct, `/v2/Services/${created.sid}`)).body;
      const expected = structuredClone(before) as Record<string, any>;
      change(expected);
      expected.date_updated = clock.now().toISOString().replace('.000Z', 'Z');
      assert.deepEqual(after, expected);
      before = after;
    });
  }

  await t.test('an update with no parameters changes nothing but date_updated', async () => {
    clock.advance(1000);
    const s = await acct.client.verify.v2.services(created.sid).update({});
    assert.deepEqual(s.dateUpdated, clock.now());
    const after = (await rawGet(server, acct, `/v2/Services/${created.sid}`)).body;
    assert.deepEqual({ ...after, date_updated: null }, { ...before, date_updated: null });
  });
}, CLOCK);
