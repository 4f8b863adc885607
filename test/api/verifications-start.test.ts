/**
 * Start Verification (POST /v2/Services/{sid}/Verifications) through the official SDK: the 201
 * resource, every CreateVerificationRequest parameter accepted, each bad value rejected with its
 * Twilio error, and locale resolution. Runs on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup } from '../support/server.js';
import { seedTemplate } from '../support/templates.js';

const US = '+15017122661';
const GB = '+447400123456';
const BR = '+5511987654321';
const FR = '+33612345678';
const IS = '+3546111234'; // Iceland: no Verify language of its own, so English.

const form = (o: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(o).toString(),
});

onEachBackend('start verification', async (t, server) => {
  await t.test('201 carries every field of the Verification resource', async () => {
    const { acct, svc } = await setup(server);
    const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications`, { ...form({ To: US, Channel: 'sms' }), auth: { user: acct.sid, pass: acct.authToken } });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'account_sid', 'amount', 'channel', 'date_created', 'date_updated', 'lookup', 'payee',
      'send_code_attempts', 'service_sid', 'sid', 'sna', 'status', 'to', 'url', 'valid',
    ]);
    assert.match(body.sid as string, /^VE[0-9a-f]{32}$/);
    assert.equal(body.service_sid, svc.sid);
    assert.equal(body.account_sid, acct.sid);
    assert.equal(body.to, US);
    assert.equal(body.channel, 'sms');
    assert.equal(body.status, 'pending');
    assert.equal(body.valid, false);
    assert.deepEqual(body.lookup, {});
    assert.equal(body.amount, null);
    assert.equal(body.payee, null);
    assert.equal(body.sna, null);
    assert.match(body.date_created as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(body.date_updated as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(body.url, `${server.baseUrl}/v2/Services/${svc.sid}/Verifications/${body.sid as string}`);
    const attempts = body.send_code_attempts as Array<Record<string, string>>;
    assert.equal(attempts.length, 1);
    assert.deepEqual(Object.keys(attempts[0]!).sort(), ['attempt_sid', 'channel', 'time']);
    assert.equal(attempts[0]!.channel, 'SMS');
    assert.match(attempts[0]!.attempt_sid!, /^VL[0-9a-f]{32}$/);
    assert.equal(attempts[0]!.time, body.date_created);
  });

  await t.test('the SDK maps the resource', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    assert.equal(v.serviceSid, svc.sid);
    assert.equal(v.accountSid, acct.sid);
    assert.equal(v.status, 'pending');
    assert.equal(v.valid, false);
    assert.deepEqual(v.lookup, {});
    assert.ok(v.dateCreated instanceof Date && v.dateUpdated instanceof Date);
    assert.equal(v.sendCodeAttempts.length, 1);
    assert.equal(v.sna, null);
    assert.equal(v.url, `${server.baseUrl}/v2/Services/${svc.sid}/Verifications/${v.sid}`);
  });

  await t.test('every optional parameter is accepted, and JSON ones are parsed and stored', async () => {
    const { acct, svc, api } = await setup(server, { customCodeEnabled: true });
    const template = await seedTemplate(server.stores, acct.sid, { texts: [{ locale: 'en', text: 'Hi {{name}}, your code is {{code}}' }] });
    // RateLimits must name the service's rate limits (docs/protection.md).
    for (const uniqueName of ['my_rate_limit_key', 'other']) await api.rateLimits.create({ uniqueName });
    const v = await api.verifications.create({
      to: US,
      channel: 'sms',
      customFriendlyName: 'Acme Login',
      sendDigits: '1234#',
      locale: 'en',
      customCode: '24680',
      rateLimits: { my_rate_limit_key: 'abc', other: 7 },
      channelConfiguration: { from: 'noreply@example.com', from_name: 'Acme', substitutions: { a: 'b' }, template_id: 'd-1' },
      appHash: 'He42w354ol9',
      templateSid: template.sid,
      templateCustomSubstitutions: JSON.stringify({ name: 'Ann' }),
      deviceIp: '2001:db8::1',
      enableSnaClientToken: false,
      riskCheck: 'disable',
      tags: JSON.stringify({ campaign: 'spring', source: 'web' }),
    });
    assert.equal(v.status, 'pending');
    const stored = await server.stores.verifications.getVerification(svc.sid, v.sid);
    assert.deepEqual(stored?.options.rateLimits, { my_rate_limit_key: 'abc', other: '7' });
    assert.deepEqual(stored?.options.tags, { campaign: 'spring', source: 'web' });
    assert.deepEqual(stored?.options.templateCustomSubstitutions, { name: 'Ann' });
    assert.equal(stored?.options.channelConfiguration?.from, 'noreply@example.com');
    assert.equal(stored?.options.riskCheck, 'disable');
    assert.equal(stored?.options.deviceIp, '2001:db8::1');
    assert.equal(stored?.options.customFriendlyName, 'Acme Login');
    // IPv4 and RiskCheck=enable too.
    const w = await api.verifications.create({ to: GB, channel: 'whatsapp', deviceIp: '203.0.113.7', riskCheck: 'enable' });
    assert.equal(w.channel, 'whatsapp');
    assert.equal(w.sendCodeAttempts[0]?.channel, 'whatsapp');
  });

  await t.test('To: E.164 for phone channels, an email address for email (60200)', async () => {
    const { api } = await setup(server);
    const bad = 'Invalid parameter: To';
    await rejectsWith(api.verifications.create({ to: '5017122661', channel: 'sms' }), 400, 60200, bad);
    await rejectsWith(api.verifications.create({ to: '+1555', channel: 'sms' }), 400, 60200, bad);
    await rejectsWith(api.verifications.create({ to: '+15550000', channel: 'call' }), 400, 60200, bad);
    await rejectsWith(api.verifications.create({ to: 'user@example.com', channel: 'sms' }), 400, 60200, bad);
    await rejectsWith(api.verifications.create({ to: 'user@example.com', channel: 'whatsapp' }), 400, 60200, bad);
    await rejectsWith(api.verifications.create({ to: US, channel: 'email' }), 400, 60200, bad);
    await rejectsWith(api.verifications.create({ to: 'not an email', channel: 'email' }), 400, 60200, bad);
    const e = await api.verifications.create({ to: 'user@example.com', channel: 'email' });
    assert.equal(e.channel, 'email');
    assert.equal(e.sendCodeAttempts[0]?.channel, 'EMAIL');
  });

  await t.test('missing To or Channel, unknown Channel (60200)', async () => {
    const { acct, svc, api } = await setup(server);
    const auth = { user: acct.sid, pass: acct.authToken };
    for (const [params, name] of [[{ Channel: 'sms' }, 'To'], [{ To: US }, 'Channel'], [{ To: US, Channel: '' }, 'Channel']] as const) {
      const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications`, { ...form(params), auth });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), { code: 60200, message: `Invalid parameter: ${name}`, more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });
    }
    await rejectsWith(api.verifications.create({ to: US, channel: 'pigeon' }), 400, 60200, 'Invalid parameter: Channel');
  });

  await t.test('each JSON and shaped parameter rejects a bad value with 60200 naming it', async () => {
    const { acct, svc, api } = await setup(server);
    const create = (extra: Record<string, unknown>) => api.verifications.create({ to: US, channel: 'sms', ...extra });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['Tags', { tags: 'not json' }],
      ['Tags', { tags: '["a"]' }],
      ['Tags', { tags: JSON.stringify(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']))) }],
      ['Tags', { tags: JSON.stringify({ k: 'x'.repeat(129) }) }],
      ['Tags', { tags: JSON.stringify({ ['k'.repeat(129)]: 'v' }) }],
      ['Tags', { tags: JSON.stringify({ k: 1 }) }],
      ['RateLimits', { rateLimits: 'not json' }],
      ['RateLimits', { rateLimits: { key: { nested: true } } }],
      ['ChannelConfiguration', { channelConfiguration: { from: 'not-an-email' } }],
      ['ChannelConfiguration', { channelConfiguration: 'not json' }],
      // A From name is one header's text: a line break in it could start another header.
      ['ChannelConfiguration', { channelConfiguration: { from_name: 'Acme\r\nBcc: victim@example.com' } }],
      ['ChannelConfiguration', { channelConfiguration: { from_name: '' } }],
      ['TemplateCustomSubstitutions', { templateCustomSubstitutions: 'not json' }],
      ['DeviceIp', { deviceIp: '999.1.1.1' }],
      ['DeviceIp', { deviceIp: 'localhost' }],
      ['RiskCheck', { riskCheck: 'maybe' }],
      ['TemplateSid', { templateSid: `HX${'0'.repeat(32)}` }],
      ['TemplateSid', { templateSid: 'HJ123' }],
      ['AppHash', { appHash: 'not a hash!' }],
      ['SendDigits', { sendDigits: 'abc' }],
      ['CustomFriendlyName', { customFriendlyName: 'x'.repeat(31) }],
      ['CustomMessage', { customMessage: 'x'.repeat(161) }],
      ['Locale', { locale: 'xx' }],
      ['Locale', { locale: 'klingon' }],
    ];
    for (const [name, extra] of cases) {
      await rejectsWith(create(extra), 400, 60200, `Invalid parameter: ${name}`);
    }
    // Exactly ten tags of 128 characters each are fine.
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(128)]));
    assert.equal((await create({ tags: JSON.stringify(ten) })).status, 'pending');
    // A boolean the SDK cannot send wrongly: raw HTTP.
    const res = await server.fetch(`/v2/Services/${svc.sid}/Verifications`, {
      ...form({ To: GB, Channel: 'sms', EnableSnaClientToken: 'maybe' }),
      auth: { user: acct.sid, pass: acct.authToken },
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { message: string }).message, 'Invalid parameter: EnableSnaClientToken');
  });

  await t.test('CustomCode needs custom_code_enabled (60204, 403) and 4-10 characters (60200)', async () => {
    const off = await setup(server);
    await rejectsWith(off.api.verifications.create({ to: US, channel: 'sms', customCode: '123456' }), 403, 60204);
    const on = await setup(server, { customCodeEnabled: true });
    await rejectsWith(on.api.verifications.create({ to: US, channel: 'sms', customCode: '123' }), 400, 60200, 'Invalid parameter: CustomCode');
    await rejectsWith(on.api.verifications.create({ to: US, channel: 'sms', customCode: '12345678901' }), 400, 60200, 'Invalid parameter: CustomCode');
    assert.equal((await on.api.verifications.create({ to: US, channel: 'sms', customCode: '1234' })).status, 'pending');
    assert.equal((await on.api.verifications.create({ to: GB, channel: 'sms', customCode: '1234567890' })).status, 'pending');
  });

  await t.test('PSD2 services require Amount and Payee (60206) and refuse call (60214)', async () => {
    const { api } = await setup(server, { psd2Enabled: true });
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms' }), 400, 60206);
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms', payee: 'Acme Ltd' }), 400, 60206);
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms', amount: '€39.99' }), 400, 60206);
    await rejectsWith(api.verifications.create({ to: US, channel: 'call', amount: '€39.99', payee: 'Acme Ltd' }), 400, 60214);
    const v = await api.verifications.create({ to: US, channel: 'sms', amount: '€39.99', payee: 'Acme Ltd' });
    assert.equal(v.amount, '€39.99');
    assert.equal(v.payee, 'Acme Ltd');
    // Without PSD2, Amount and Payee are not part of the verification.
    const plain = await setup(server);
    const p = await plain.api.verifications.create({ to: US, channel: 'sms', amount: '€1', payee: 'X' });
    assert.equal(p.amount, null);
    assert.equal(p.payee, null);
  });

  await t.test('locale comes from the number, English otherwise; Locale overrides', async () => {
    const { acct, api } = await setup(server);
    const cases: Array<[string, string, RegExp]> = [
      [US, 'en', /^Your Acme verification code is: \d{6}$/],
      [GB, 'en-GB', /Your Acme verification code is: \d{6}/],
      [BR, 'pt-BR', /^Seu código de verificação Acme é: \d{6}$/],
      [FR, 'fr', /^Votre code de vérification Acme est : \d{6}$/],
      [IS, 'en', /^Your Acme verification code is: \d{6}$/],
    ];
    for (const [to, locale, text] of cases) {
      await api.verifications.create({ to, channel: 'sms' });
      const m = await server.latestMessage(acct, to);
      assert.equal(m.locale, locale, to);
      assert.match(m.body, text);
    }
    // An explicit Locale wins over the country, spelled case-insensitively.
    const other = await setup(server);
    await other.api.verifications.create({ to: US, channel: 'sms', locale: 'es' });
    const es = await server.latestMessage(other.acct, US);
    assert.equal(es.locale, 'es');
    assert.match(es.body, /^Tu código de verificación de Acme es: \d{6}$/);
    await other.api.verifications.create({ to: FR, channel: 'sms', locale: 'PT-br' });
    assert.equal((await server.latestMessage(other.acct, FR)).locale, 'pt-BR');
  });
});
