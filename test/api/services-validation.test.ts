/**
 * Every bad Services parameter answers Twilio's error JSON, on create and on update, through the
 * SDK (which passes strings through untouched) and as a raw form post (to see the exact body).
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { hasError, sid } from '../support/assertions.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

/** [title, form params, the parameter the error must name] */
type Case = [string, Record<string, string>, string];

const FRIENDLY_NAME_CASES: Case[] = [
  ['FriendlyName empty', { FriendlyName: '' }, 'FriendlyName'],
  ['FriendlyName blank', { FriendlyName: '   ' }, 'FriendlyName'],
  ['FriendlyName 31 characters', { FriendlyName: 'a'.repeat(31) }, 'FriendlyName'],
  ['FriendlyName with a URL', { FriendlyName: 'Go https://evil.example' }, 'FriendlyName'],
  ['FriendlyName with a bare domain', { FriendlyName: 'evil.example' }, 'FriendlyName'],
  ['FriendlyName with special characters', { FriendlyName: 'Acme! <Corp>' }, 'FriendlyName'],
  ['FriendlyName with an @', { FriendlyName: 'me@example' }, 'FriendlyName'],
  ['FriendlyName with 5 consecutive digits', { FriendlyName: 'Acme 12345' }, 'FriendlyName'],
  ['FriendlyName with 5 scattered digits', { FriendlyName: 'a1b2c3d4e5' }, 'FriendlyName'],
  ['FriendlyName with a phone number', { FriendlyName: '+15017122661' }, 'FriendlyName'],
];

const OTHER_CASES: Case[] = [
  ['CodeLength 3', { CodeLength: '3' }, 'CodeLength'],
  ['CodeLength 11', { CodeLength: '11' }, 'CodeLength'],
  ['CodeLength not a number', { CodeLength: 'six' }, 'CodeLength'],
  ['CodeLength fractional', { CodeLength: '5.5' }, 'CodeLength'],
  ['Totp.TimeStep 19', { 'Totp.TimeStep': '19' }, 'Totp.TimeStep'],
  ['Totp.TimeStep 61', { 'Totp.TimeStep': '61' }, 'Totp.TimeStep'],
  ['Totp.CodeLength 2', { 'Totp.CodeLength': '2' }, 'Totp.CodeLength'],
  ['Totp.CodeLength 9', { 'Totp.CodeLength': '9' }, 'Totp.CodeLength'],
  ['Totp.Skew -1', { 'Totp.Skew': '-1' }, 'Totp.Skew'],
  ['Totp.Skew 3', { 'Totp.Skew': '3' }, 'Totp.Skew'],
  ['Push.ApnCredentialSid too short', { 'Push.ApnCredentialSid': 'CR123' }, 'Push.ApnCredentialSid'],
  ['Push.FcmCredentialSid wrong prefix', { 'Push.FcmCredentialSid': sid('MG', 'a') }, 'Push.FcmCredentialSid'],
  ['DefaultTemplateSid not hex', { DefaultTemplateSid: sid('HJ', 'z') }, 'DefaultTemplateSid'],
  ['DefaultTemplateSid wrong prefix', { DefaultTemplateSid: sid('CR', 'a') }, 'DefaultTemplateSid'],
  ['Whatsapp.MsgServiceSid wrong prefix', { 'Whatsapp.MsgServiceSid': sid('CR', 'a') }, 'Whatsapp.MsgServiceSid'],
  ['Whatsapp.MsgServiceSid too long', { 'Whatsapp.MsgServiceSid': sid('MG', 'a') + 'a' }, 'Whatsapp.MsgServiceSid'],
  ...[
    'LookupEnabled',
    'SkipSmsToLandlines',
    'DtmfInputRequired',
    'Psd2Enabled',
    'DoNotShareWarningEnabled',
    'CustomCodeEnabled',
    'Push.IncludeDate',
    'VerifyEventSubscriptionEnabled',
  ].map((p): Case => [`${p} maybe`, { [p]: 'maybe' }, p]),
  ['Passkeys.AuthenticatorAttachment bad value', { 'Passkeys.AuthenticatorAttachment': 'both' }, 'Passkeys.AuthenticatorAttachment'],
  ['Passkeys.DiscoverableCredentials bad value', { 'Passkeys.DiscoverableCredentials': 'always' }, 'Passkeys.DiscoverableCredentials'],
  ['Passkeys.UserVerification wrong case', { 'Passkeys.UserVerification': 'Required' }, 'Passkeys.UserVerification'],
  ['TtsName longer than 64', { TtsName: 'x'.repeat(65) }, 'TtsName'],
];

/** `Push.ApnCredentialSid` → `push.apnCredentialSid`, the SDK's option name. */
const sdkName = (wire: string) => wire.split('.').map((s) => s[0]!.toLowerCase() + s.slice(1)).join('.');
// The SDK serialises numbers and booleans with String(); passing strings sends them unchanged.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const sdkParams = (form: Record<string, string>): any => Object.fromEntries(Object.entries(form).map(([k, v]) => [sdkName(k), v]));

function isInvalid(param: string) {
  return hasError(400, 60200, (message) => assert.ok(message.includes(param), `message ${JSON.stringify(message)} should name ${param}`));
}

async function rawPost(server: TestServer, acct: Account, path: string, form: Record<string, string>) {
  const res = await server.fetch(path, {
    method: 'POST',
    auth: { user: acct.sid, pass: acct.authToken },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function assertRawInvalid(server: TestServer, acct: Account, path: string, form: Record<string, string>, param: string) {
  const { status, body } = await rawPost(server, acct, path, form);
  assert.equal(status, 400);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status']);
  assert.equal(body.code, 60200);
  assert.equal(body.status, 400);
  assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/60200');
  assert.ok(String(body.message).includes(param), `message ${JSON.stringify(body.message)} should name ${param}`);
}

onEachBackend('create rejects bad parameters with 400 60200', async (t, server) => {
  const acct = await server.account();
  const services = acct.client.verify.v2.services;

  await t.test('FriendlyName missing (raw: the SDK refuses to send it)', async () => {
    await assertRawInvalid(server, acct, '/v2/Services', {}, 'FriendlyName');
    await assertRawInvalid(server, acct, '/v2/Services', { CodeLength: '6' }, 'FriendlyName');
    await assert.rejects(async () => services.create({} as never), /friendlyName/);
  });

  await t.test('FriendlyName too long says so', async () => {
    await assert.rejects(services.create({ friendlyName: 'a'.repeat(31) }), (err: unknown) => {
      assert.ok(err instanceof twilio.RestException);
      assert.equal(err.message, 'FriendlyName is too long (max 30 characters)');
      return true;
    });
  });

  for (const [title, form, param] of [...FRIENDLY_NAME_CASES, ...OTHER_CASES]) {
    await t.test(title, async () => {
      const full = { FriendlyName: 'Valid Name', ...form };
      await assert.rejects(services.create(sdkParams(full)), isInvalid(param));
      await assertRawInvalid(server, acct, '/v2/Services', full, param);
    });
  }

  await t.test('no failed create left a service behind', async () => {
    assert.deepEqual(await services.list(), []);
  });
});

onEachBackend('create accepts the boundary values', async (t, server) => {
  const acct = await server.account();
  const services = acct.client.verify.v2.services;
  const ok: Array<[string, Record<string, unknown>]> = [
    ['FriendlyName of 30 characters', { friendlyName: 'a'.repeat(30) }],
    ['FriendlyName of 30 non-ASCII letters', { friendlyName: 'é'.repeat(30) }],
    ['FriendlyName with 4 digits, dashes and underscores', { friendlyName: 'Acme-2024_Login x' }],
    ['CodeLength 4 and TOTP minimums', { friendlyName: 'Low', codeLength: 4, 'totp.timeStep': 20, 'totp.codeLength': 3, 'totp.skew': 0 }],
    ['CodeLength 10 and TOTP maximums', { friendlyName: 'High', codeLength: 10, 'totp.timeStep': 60, 'totp.codeLength': 8, 'totp.skew': 2 }],
    ['booleans in any case', { friendlyName: 'Bools', lookupEnabled: 'TRUE', psd2Enabled: 'False' }],
    ['empty passkeys enums', { friendlyName: 'Empty Enums', 'passkeys.authenticatorAttachment': '', 'passkeys.discoverableCredentials': '', 'passkeys.userVerification': '' }],
    ['passkeys enum "any"', { friendlyName: 'Any', 'passkeys.authenticatorAttachment': 'any' }],
    ['TtsName of 64', { friendlyName: 'Tts', ttsName: 'x'.repeat(64) }],
  ];
  for (const [title, params] of ok) {
    await t.test(title, async () => {
      const s = await services.create(params as never);
      assert.equal(s.friendlyName, params.friendlyName);
    });
  }
  await t.test('parameters Twilio does not declare are ignored', async () => {
    const { status } = await rawPost(server, acct, '/v2/Services', { FriendlyName: 'Extra', MailerSid: sid('MD', 'a') });
    assert.equal(status, 201);
  });
});

onEachBackend('update rejects bad parameters and changes nothing', async (t, server) => {
  const acct = await server.account();
  const created = await acct.client.verify.v2.services.create({ friendlyName: 'Original', codeLength: 5, lookupEnabled: true });
  const path = `/v2/Services/${created.sid}`;
  const ctx = acct.client.verify.v2.services(created.sid);

  for (const [title, form, param] of [...FRIENDLY_NAME_CASES, ...OTHER_CASES]) {
    await t.test(title, async () => {
      await assert.rejects(ctx.update(sdkParams(form)), isInvalid(param));
      await assertRawInvalid(server, acct, path, form, param);
    });
  }

  await t.test('a bad parameter next to good ones applies none of them', async () => {
    await assert.rejects(ctx.update({ friendlyName: 'Renamed', lookupEnabled: false, codeLength: 11 }), isInvalid('CodeLength'));
    await assert.rejects(ctx.update({ friendlyName: 'Renamed', 'totp.skew': 9 }), isInvalid('Totp.Skew'));
    const s = await ctx.fetch();
    assert.equal(s.friendlyName, 'Original');
    assert.equal(s.codeLength, 5);
    assert.equal(s.lookupEnabled, true);
    assert.deepEqual(s.totp, { issuer: null, time_step: null, code_length: null, skew: null });
    assert.deepEqual(s.dateUpdated, created.dateUpdated);
  });
});
