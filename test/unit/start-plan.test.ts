/**
 * The store-free rules of a start (src/domain/verification/start-plan.ts): channel resolution
 * (auto included), destination checks and canonical forms, service features (custom codes, PSD2),
 * locale, the order the checks run in, the code a resend carries, and the request a sender gets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodeKeyring } from '../../src/domain/code/keys.js';
import { TwilioError } from '../../src/domain/errors.js';
import { defaultConfig } from '../../src/domain/service/service.js';
import type { Service, ServiceConfig, StartOptions } from '../../src/domain/types.js';
import { prepareStart, resendCode, sendRequest, type StartInput } from '../../src/domain/verification/start-plan.js';
import { send, service as serviceRecord, startOptions, verification } from '../store/fixtures.js';

const US = '+15017122661';
const FR = '+33612345678';

const svc = (config: Partial<ServiceConfig> = {}): Service => serviceRecord('AC' + 'a'.repeat(32), { friendlyName: 'Acme', config: { ...defaultConfig(), ...config } });
const input = (over: Partial<Omit<StartInput, 'options'>> & { options?: Partial<StartOptions> } = {}): StartInput => ({
  to: US,
  channel: 'sms',
  customCode: null,
  amount: null,
  payee: null,
  ...over,
  options: { ...startOptions(), ...over.options },
});

/** The Twilio code and message `fn` throws. */
function refusal(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof TwilioError, String(err));
    return { code: err.code, message: err.message };
  }
  assert.fail('expected a TwilioError');
}

const k1 = { id: 'k1', secret: Buffer.alloc(32, 1) };
const k2 = { id: 'k2', secret: Buffer.alloc(32, 2) };

test('channel: as asked; auto is sna with a DeviceIp and sms without', () => {
  for (const channel of ['sms', 'call', 'whatsapp', 'sna'] as const) assert.equal(prepareStart(svc(), input({ channel })).channel, channel);
  assert.equal(prepareStart(svc(), input({ channel: 'email', to: 'ann@example.com' })).channel, 'email');
  assert.equal(prepareStart(svc(), input({ channel: 'auto' })).channel, 'sms');
  assert.equal(prepareStart(svc(), input({ channel: 'auto', options: { deviceIp: '203.0.113.7' } })).channel, 'sna');
});

test('a channel without a provider is 60223, before To is looked at; auto without an SNA provider is sms', () => {
  const noSna = (c: string) => c !== 'sna';
  assert.equal(prepareStart(svc(), input({ channel: 'auto', options: { deviceIp: '203.0.113.7' } }), noSna).channel, 'sms');
  assert.equal(refusal(() => prepareStart(svc(), input({ channel: 'sna' }), noSna)).code, 60223);
  const none = () => false;
  assert.equal(refusal(() => prepareStart(svc(), input({ channel: 'auto' }), none)).code, 60223);
  assert.equal(refusal(() => prepareStart(svc(), input({ channel: 'email', to: 'not an address' }), none)).code, 60223);
});

test('destination: phones become E.164 with their country, emails stay as given; bad ones are 60200 To', () => {
  assert.deepEqual(prepareStart(svc(), input({ to: '+4407400123456' })), { channel: 'sms', to: '+447400123456', country: 'GB', locale: 'en-GB' });
  assert.deepEqual(prepareStart(svc(), input({ channel: 'email', to: 'Ann@Example.com' })), { channel: 'email', to: 'ann@example.com', country: null, locale: 'en' });
  const badTo = { code: 60200, message: 'Invalid parameter: To' };
  assert.deepEqual(refusal(() => prepareStart(svc(), input({ to: '15017122661' }))), badTo);
  assert.deepEqual(refusal(() => prepareStart(svc(), input({ to: '+1555' }))), badTo);
  // The channel decides which kind of destination is expected.
  assert.deepEqual(refusal(() => prepareStart(svc(), input({ channel: 'email', to: US }))), badTo);
  assert.deepEqual(refusal(() => prepareStart(svc(), input({ channel: 'sms', to: 'ann@example.com' }))), badTo);
  assert.deepEqual(refusal(() => prepareStart(svc(), input({ channel: 'auto', to: 'ann@example.com' }))), badTo);
});

test('locale: the one asked for, canonical; else the country’s; an unknown one is 60200 Locale', () => {
  assert.equal(prepareStart(svc(), input({ to: FR })).locale, 'fr');
  assert.equal(prepareStart(svc(), input({ to: FR, options: { locale: 'PT-br' } })).locale, 'pt-BR');
  assert.deepEqual(refusal(() => prepareStart(svc(), input({ options: { locale: 'xx' } }))), { code: 60200, message: 'Invalid parameter: Locale' });
});

test('custom codes: only where the service enables them (60204), 4 to 10 characters (60200 CustomCode)', () => {
  assert.equal(refusal(() => prepareStart(svc(), input({ customCode: '1234' }))).code, 60204);
  const on = svc({ customCodeEnabled: true });
  for (const code of ['1234', '1234567890']) assert.doesNotThrow(() => prepareStart(on, input({ customCode: code })));
  for (const code of ['123', '12345678901']) {
    assert.deepEqual(refusal(() => prepareStart(on, input({ customCode: code }))), { code: 60200, message: 'Invalid parameter: CustomCode' });
  }
});

test('PSD2: Amount and Payee are both required (60206), and calls are refused (60214)', () => {
  const psd2 = svc({ psd2Enabled: true });
  assert.equal(refusal(() => prepareStart(psd2, input())).code, 60206);
  assert.equal(refusal(() => prepareStart(psd2, input({ amount: '10 EUR' }))).code, 60206);
  assert.equal(refusal(() => prepareStart(psd2, input({ payee: 'Acme' }))).code, 60206);
  assert.equal(refusal(() => prepareStart(psd2, input({ amount: '', payee: 'Acme' }))).code, 60206);
  assert.equal(refusal(() => prepareStart(psd2, input({ channel: 'call', amount: '10 EUR', payee: 'Acme' }))).code, 60214);
  assert.doesNotThrow(() => prepareStart(psd2, input({ amount: '10 EUR', payee: 'Acme' })));
  // Without PSD2 the pair is neither required nor a reason to refuse a call.
  assert.doesNotThrow(() => prepareStart(svc(), input({ channel: 'call', amount: '10 EUR' })));
});

test('order: the destination before the service features, the features before the locale', () => {
  const strict = svc({ psd2Enabled: true });
  assert.equal(refusal(() => prepareStart(strict, input({ to: 'nope', customCode: '1234', options: { locale: 'xx' } }))).message, 'Invalid parameter: To');
  assert.equal(refusal(() => prepareStart(strict, input({ customCode: '1234', options: { locale: 'xx' } }))).code, 60204);
  assert.equal(refusal(() => prepareStart(strict, input({ options: { locale: 'xx' } }))).code, 60206);
});

test('resend of a generated code: the same code again, under the key that issued it', () => {
  const keys = new CodeKeyring([k1]);
  const v = verification(svc(), { codeKeyId: 'k1', codeSeed: 'seed-1', codeLength: 6 });
  const before = { ...v };
  assert.equal(resendCode(keys, v, null), keys.deriveCode('k1', 'seed-1', 6));
  assert.deepEqual(v, before, 'nothing about the code changes');
});

test('resend after the issuing key was rotated out: a fresh code under the current key', () => {
  const keys = new CodeKeyring([k2]);
  const v = verification(svc(), { codeKeyId: 'k1', codeSeed: 'seed-1', codeLength: 8 });
  const code = resendCode(keys, v, null);
  assert.equal(v.codeKeyId, 'k2');
  assert.notEqual(v.codeSeed, 'seed-1');
  assert.equal(code, keys.deriveCode('k2', v.codeSeed as string, 8));
  assert.equal(v.codeHash, keys.hash('k2', v.sid, code));
});

test('resend with a custom code: it replaces the code (any earlier kind), length and hash included', () => {
  const keys = new CodeKeyring([k1]);
  for (const customCode of [false, true]) {
    const v = verification(svc(), { customCode, codeSeed: customCode ? null : 'seed-1', codeLength: 6 });
    assert.equal(resendCode(keys, v, 'abcd1234'), 'abcd1234');
    assert.deepEqual(
      { customCode: v.customCode, codeSeed: v.codeSeed, codeLength: v.codeLength, codeKeyId: v.codeKeyId, codeHash: v.codeHash },
      { customCode: true, codeSeed: null, codeLength: 8, codeKeyId: 'k1', codeHash: keys.hash('k1', v.sid, 'abcd1234') },
    );
  }
});

test('resend of a custom-code verification without the code: 60200 CustomCode (verifyd cannot derive it)', () => {
  const keys = new CodeKeyring([k1]);
  const v = verification(svc(), { customCode: true, codeSeed: null });
  assert.deepEqual(refusal(() => resendCode(keys, v, null)), { code: 60200, message: 'Invalid parameter: CustomCode' });
});

test('send request: the start options in force, the service defaults under them', () => {
  const service = svc({
    doNotShareWarningEnabled: true,
    defaultTemplateSid: 'HJ' + 'd'.repeat(32),
    ttsName: 'Polly.Lea',
    dtmfInputRequired: true,
    whatsapp: { from: '+14155238886', msgServiceSid: 'MG' + 'f'.repeat(32) },
  });
  const v = verification(service, { amount: '10 EUR', payee: 'Acme', locale: 'fr' });
  const attempt = send(v);
  const base = sendRequest(service, { verification: v, attempt, channel: 'sms', code: '123456' }, startOptions(), 600_000);
  assert.deepEqual(base, {
    accountSid: v.accountSid,
    serviceSid: v.serviceSid,
    verificationSid: v.sid,
    attemptSid: attempt.sid,
    channel: 'sms',
    to: attempt.to,
    country: attempt.country,
    locale: 'fr',
    code: '123456',
    friendlyName: 'Acme',
    doNotShareWarning: true,
    appHash: null,
    amount: '10 EUR',
    payee: 'Acme',
    sendDigits: null,
    templateSid: 'HJ' + 'd'.repeat(32),
    templateText: null,
    templateSubstitutions: null,
    channelConfiguration: null,
    whatsapp: { from: '+14155238886', msgServiceSid: 'MG' + 'f'.repeat(32) },
    ttsName: 'Polly.Lea',
    dtmfInputRequired: true,
    expiresAt: v.expiresAt,
    ttlMinutes: 10,
  });
  const options: StartOptions = {
    ...startOptions(),
    customFriendlyName: 'Shop',
    appHash: 'He42w354ol9',
    sendDigits: '1w2',
    templateSid: 'HJ' + 'e'.repeat(32),
    templateCustomSubstitutions: { plan: 'gold' },
    channelConfiguration: { from: 'noreply@example.com' },
  };
  const given = sendRequest(service, { verification: v, attempt, channel: 'call', code: '123456' }, options, 90_000);
  assert.deepEqual(
    given,
    {
      ...base,
      channel: 'call',
      friendlyName: 'Shop',
      appHash: 'He42w354ol9',
      sendDigits: '1w2',
      templateSid: 'HJ' + 'e'.repeat(32),
      templateSubstitutions: { plan: 'gold' },
      channelConfiguration: { from: 'noreply@example.com' },
      ttlMinutes: 2,
    },
  );
});
