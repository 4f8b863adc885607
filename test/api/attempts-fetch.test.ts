/**
 * GET /v2/Attempts/{Sid}: the exact resource (raw JSON and the SDK), channel_data per channel,
 * conversion by check and by Status=approved, expiry by the sweep and by lapse, prices from the
 * price table, and 404 for anything not the caller's. Both backends, on a ManualClock.
 */
import assert from 'node:assert/strict';
import { iso } from '../../src/api/serialize/time.js';
import { parsePriceTable } from '../../src/config/prices.js';
import { startExpirySweep } from '../../src/sweep.js';
import { hasError, sid } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const US = '+15017122661';
const GB = '+447400123456';
const EMAIL = 'user@example.com';
const TTL = 600_000;
const START = new Date('2025-03-01T12:00:00Z');
const PRICES = parsePriceTable('{"currency":"usd","default":{"sms":"0.05","email":"0.001"},"countries":{"US":{"sms":"0.0079","call":"0.013"}}}');
const quiet = { error: () => undefined };
/** The clock is shared by the subtests, so times are read from it rather than assumed. */
const stamp = (clock: { now(): Date }) => iso(clock.now().getTime());

const KEYS = ['account_sid', 'channel', 'channel_data', 'conversion_status', 'date_created', 'date_updated', 'price', 'service_sid', 'sid', 'url', 'verification_sid'];
// The spec's keys, and verifyd's provider and tries (docs/wire-decisions.md).
const PHONE_DATA = ['carrier', 'code_length', 'country', 'error_code', 'locale', 'mcc', 'message_status', 'mnc', 'provider', 'status', 'to', 'tries', 'verification_sid'];
const CALL_DATA = PHONE_DATA.map((k) => (k === 'message_status' ? 'call_status' : k)).sort();
const EMAIL_DATA = ['code_length', 'error_code', 'locale', 'message_status', 'provider', 'status', 'to', 'tries', 'verification_sid'];

type Json = Record<string, unknown> & { channel_data: Record<string, unknown> };

async function getJson(server: TestServer, acct: Account, path: string): Promise<{ status: number; body: Json }> {
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, body: (await res.json()) as Json };
}

/** The raw JSON of one attempt, which must be a 200. */
async function attempt(server: TestServer, acct: Account, vl: string): Promise<Json> {
  const { status, body } = await getJson(server, acct, `/v2/Attempts/${vl}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

onEachBackend('attempts: fetch', async (t, server, clock) => {
  await t.test('an SMS attempt: exact keys and values, the same through the SDK and in the list', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
    assert.match(vl, /^VL[0-9a-f]{32}$/);
    assert.equal((await server.latestMessage(acct, US)).attempt_sid, vl);
    const body = await attempt(server, acct, vl);
    assert.deepEqual(Object.keys(body).sort(), KEYS);
    assert.deepEqual(body, {
      sid: vl,
      account_sid: acct.sid,
      service_sid: svc.sid,
      verification_sid: v.sid,
      date_created: '2025-03-01T12:00:00Z',
      date_updated: '2025-03-01T12:00:00Z',
      conversion_status: 'unconverted',
      channel: 'sms',
      price: { value: '0.0079', currency: 'usd' },
      channel_data: {
        verification_sid: v.sid, to: US, status: 'unconfirmed', message_status: 'delivered', error_code: null,
        country: 'US', code_length: 6, locale: 'en', mcc: null, mnc: null, carrier: null, provider: null, tries: [],
      },
      url: `${server.baseUrl}/v2/Attempts/${vl}`,
    });
    const a = await acct.client.verify.v2.verificationAttempts(vl).fetch();
    assert.equal(a.sid, vl);
    assert.equal(a.accountSid, acct.sid);
    assert.equal(a.serviceSid, svc.sid);
    assert.equal(a.verificationSid, v.sid);
    assert.deepEqual(a.dateCreated, START);
    assert.deepEqual(a.dateUpdated, START);
    assert.equal(a.conversionStatus, 'unconverted');
    assert.equal(a.channel, 'sms');
    assert.deepEqual(a.price, body.price);
    assert.deepEqual(a.channelData, body.channel_data);
    assert.equal(a.url, body.url);
    const { body: list } = await getJson(server, acct, `/v2/Attempts?VerificationSid=${v.sid}`);
    assert.deepEqual(list.attempts, [body]);
  });

  await t.test('channel_data per channel: call_status for calls, no phone fields for email; locale and code length', async () => {
    const { acct, api } = await setup(server, { codeLength: 8 });
    const call = await api.verifications.create({ to: US, channel: 'call' });
    const c = await attempt(server, acct, call.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual(Object.keys(c.channel_data).sort(), CALL_DATA);
    assert.equal(c.channel, 'call');
    assert.equal(c.channel_data.call_status, 'completed');
    assert.equal(c.channel_data.code_length, 8);
    assert.deepEqual(c.price, { value: '0.013', currency: 'usd' });

    const wa = await api.verifications.create({ to: GB, channel: 'whatsapp', locale: 'es' });
    const w = await attempt(server, acct, wa.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual(Object.keys(w.channel_data).sort(), PHONE_DATA);
    assert.deepEqual(
      [w.channel, w.channel_data.country, w.channel_data.locale, w.channel_data.message_status, w.channel_data.to],
      ['whatsapp', 'GB', 'es', 'delivered', GB],
    );

    const em = await api.verifications.create({ to: EMAIL, channel: 'email' });
    const e = await attempt(server, acct, em.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual(Object.keys(e).sort(), KEYS);
    assert.deepEqual(e.channel_data, {
      verification_sid: em.sid, to: EMAIL, status: 'unconfirmed', message_status: 'delivered', error_code: null, code_length: 8, locale: 'en', provider: null, tries: [],
    });
    assert.deepEqual(Object.keys(e.channel_data).sort(), EMAIL_DATA);
    assert.equal(e.channel, 'email');
  });

  await t.test('price: country+channel, else the default for the channel, else null', async () => {
    const { acct, api } = await setup(server);
    const cases: Array<[string, 'sms' | 'call' | 'whatsapp' | 'email', unknown]> = [
      [US, 'sms', { value: '0.0079', currency: 'usd' }],
      [US, 'call', { value: '0.013', currency: 'usd' }],
      [GB, 'sms', { value: '0.05', currency: 'usd' }],
      [GB, 'call', null],
      [US, 'whatsapp', null],
      [EMAIL, 'email', { value: '0.001', currency: 'usd' }],
    ];
    for (const [to, channel, price] of cases) {
      const v = await api.verifications.create({ to, channel });
      const a = await attempt(server, acct, v.sendCodeAttempts.at(-1)?.attempt_sid as string);
      assert.deepEqual(a.price, price, `${channel} to ${to}`);
      await api.verifications(v.sid).update({ status: 'canceled' });
    }
  });

  await t.test('converted by a check: every attempt of the verification, confirmed, date_updated moves', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const t0 = clock.now().getTime();
    clock.advance(5_000);
    const again = await api.verifications.create({ to: US, channel: 'call' });
    const [first, second] = again.sendCodeAttempts.map((a: { attempt_sid: string }) => a.attempt_sid) as [string, string];
    assert.equal((await attempt(server, acct, first)).date_created, iso(t0));
    assert.equal((await attempt(server, acct, second)).date_created, iso(t0 + 5_000));
    clock.advance(5_000);
    // A wrong code converts nothing.
    const { code } = await server.latestMessage(acct, US);
    await api.verificationChecks.create({ to: US, code: code === '000000' ? '111111' : '000000' });
    assert.equal((await attempt(server, acct, first)).conversion_status, 'unconverted');
    clock.advance(5_000);
    assert.equal((await api.verificationChecks.create({ verificationSid: v.sid, code })).status, 'approved');
    for (const vl of [first, second]) {
      const a = await attempt(server, acct, vl);
      assert.equal(a.conversion_status, 'converted');
      assert.equal(a.channel_data.status, 'confirmed');
      assert.equal(a.date_updated, iso(t0 + 15_000));
    }
    assert.equal((await acct.client.verify.v2.verificationAttempts(first).fetch()).conversionStatus, 'converted');
  });

  await t.test('converted by Status=approved; canceled and max attempts stay unconverted and unconfirmed', async () => {
    const { acct, api } = await setup(server);
    const approved = await api.verifications.create({ to: US, channel: 'sms' });
    clock.advance(1_000);
    await api.verifications(approved.sid).update({ status: 'approved' });
    const a = await attempt(server, acct, approved.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual([a.conversion_status, a.channel_data.status, a.date_updated], ['converted', 'confirmed', stamp(clock)]);
    assert.notEqual(a.date_updated, a.date_created);

    const canceled = await api.verifications.create({ to: GB, channel: 'sms' });
    await api.verifications(canceled.sid).update({ status: 'canceled' });
    const c = await attempt(server, acct, canceled.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual([c.conversion_status, c.channel_data.status], ['unconverted', 'unconfirmed']);

    const maxed = await api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(acct, US);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await api.verificationChecks.create({ to: US, code: wrong });
    await assert.rejects(api.verificationChecks.create({ to: US, code }), hasError(429, 60202));
    const m = await attempt(server, acct, maxed.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual([m.conversion_status, m.channel_data.status], ['unconverted', 'unconfirmed']);
  });

  await t.test('expired: by the expiry sweep, and by a check that finds the verification lapsed', async () => {
    const { acct, api } = await setup(server);
    const swept = await api.verifications.create({ to: US, channel: 'sms' });
    const sweep = startExpirySweep(server.stores.verifications, clock, 60_000, quiet);
    try {
      clock.advance(TTL - 1);
      await sweep.runOnce();
      assert.equal((await attempt(server, acct, swept.sendCodeAttempts[0]?.attempt_sid as string)).channel_data.status, 'unconfirmed');
      clock.advance(1);
      await sweep.runOnce();
    } finally {
      sweep.stop();
    }
    const s = await attempt(server, acct, swept.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual([s.conversion_status, s.channel_data.status, s.date_updated], ['unconverted', 'expired', stamp(clock)]);

    const lapsed = await api.verifications.create({ to: GB, channel: 'sms' });
    const { code } = await server.latestMessage(acct, GB);
    clock.advance(TTL);
    await assert.rejects(api.verificationChecks.create({ verificationSid: lapsed.sid, code }), hasError(404, 20404));
    const l = await attempt(server, acct, lapsed.sendCodeAttempts[0]?.attempt_sid as string);
    assert.deepEqual([l.conversion_status, l.channel_data.status], ['unconverted', 'expired']);
  });

  await t.test('404 20404 for a malformed, unknown or other account\'s sid; an API key sees its account\'s', async () => {
    const { acct, api } = await setup(server);
    const other = await server.account();
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
    for (const bad of [sid('VL', 'a'), 'VLnope', sid('VE', 'a'), vl.toLowerCase(), `VL${vl.slice(2).toUpperCase()}`]) {
      const { status, body } = await getJson(server, acct, `/v2/Attempts/${bad}`);
      assert.equal(status, 404, bad);
      assert.deepEqual(body, {
        code: 20404, message: `The requested resource /Attempts/${bad} was not found`, more_info: 'https://www.twilio.com/docs/errors/20404', status: 404,
      });
    }
    const { status, body } = await getJson(server, other, `/v2/Attempts/${vl}`);
    assert.equal(status, 404);
    assert.equal(body.message, `The requested resource /Attempts/${vl} was not found`);
    await assert.rejects(other.client.verify.v2.verificationAttempts(vl).fetch(), hasError(404, 20404));
    await assert.rejects((await server.apiKeyClient(other.sid)).verify.v2.verificationAttempts(vl).fetch(), hasError(404, 20404));
    const viaKey = await (await server.apiKeyClient(acct.sid)).verify.v2.verificationAttempts(vl).fetch();
    assert.equal(viaKey.sid, vl);
    assert.equal(viaKey.accountSid, acct.sid);
  });

  await t.test('without a price table every price is null', async () => {
    const bare = await server.sibling({ prices: undefined });
    try {
      const { acct, api } = await setup(bare);
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      assert.equal((await attempt(bare, acct, v.sendCodeAttempts[0]?.attempt_sid as string)).price, null);
    } finally {
      await bare.close();
    }
  });
}, { start: START, ttlMs: TTL, prices: PRICES, attemptsRatePerMinute: 1_000_000 });
