/**
 * Event Streams webhook delivery, what arrives: each of the five verification status events,
 * delivered by the real dispatcher to a real HTTP receiver, in the seed's CloudEvent shape with
 * data matching the verification, signed so that the official SDK's validateRequestWithBody
 * accepts it; credentials in the destination as Basic auth; batch_events; the sink Test/Validate
 * round trip. Sinks and subscriptions are created through the SDK. Both backends, on a ManualClock
 * so times in the events are exact.
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type { CloudEvent } from '../../src/domain/events/types.js';
import { expireDue } from '../../src/domain/verification/expire.js';
import { rejectsWith } from '../support/assertions.js';
import { T, assertSigned, ofVerification, receivedUrl, signatureValid, subscribeWebhook, wrongCode } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { onEachBackend, setup } from '../support/server.js';

const START = new Date('2025-03-01T12:00:00.000Z');
const TTL = 600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** The seed example's envelope keys, plus `time` (docs/events.md: the seed's datacontenttype is a doc slip). */
const ENVELOPE_KEYS = ['data', 'datacontenttype', 'dataschema', 'id', 'source', 'specversion', 'time', 'type'];
/** The seed example's data keys, exactly. */
const DATA_KEYS = [
  'account_sid', 'check_attempts', 'code_length', 'country', 'created_at', 'custom_code_enabled', 'custom_friendly_name',
  'expired_at', 'friendly_name', 'send_code_attempts', 'service_sid', 'to', 'verification_sid', 'verification_status', 'verified_at',
];
const SEND_KEYS = ['attempt_sid', 'channel', 'delivery_status', 'error_code', 'locale', 'time'];
const CHECK_KEYS = ['status', 'time'];

interface Expect {
  type: string;
  status: string;
  verificationSid: string;
  serviceSid: string;
  accountSid: string;
  to: string;
  country: string | null;
  createdAt: number;
  /** When the status was reached: the event's time (and verified_at when approved). */
  at: number;
  customFriendlyName: string;
  sends: Array<{ sid: string; channel: string; time: number; deliveryStatus: string; locale: string }>;
  checks: string[];
}

/** One event against what the verification must look like at that moment. */
function assertEvent(e: CloudEvent, x: Expect): void {
  assert.deepEqual(Object.keys(e).sort(), ENVELOPE_KEYS);
  assert.equal(e.specversion, '1.0');
  assert.equal(e.type, x.type);
  assert.equal(e.source, `/v2/Services/${x.serviceSid}/Verifications/${x.verificationSid}`);
  assert.match(e.id, /^NO[0-9a-f]{32}$/);
  assert.equal(e.time, iso(x.at));
  assert.equal(e.dataschema, 'https://events-schemas.twilio.com/AccountSecurity.VerifyEventStreamEvent/2');
  assert.equal(e.datacontenttype, 'application/json');
  const d = e.data as Record<string, any>;
  assert.deepEqual(Object.keys(d).sort(), DATA_KEYS);
  assert.equal(d.account_sid, x.accountSid);
  assert.equal(d.service_sid, x.serviceSid);
  assert.equal(d.verification_sid, x.verificationSid);
  assert.equal(d.friendly_name, 'Acme');
  assert.equal(d.custom_code_enabled, false);
  assert.equal(d.custom_friendly_name, x.customFriendlyName);
  assert.equal(d.created_at, iso(x.createdAt));
  assert.equal(d.verified_at, x.status === 'APPROVED' ? iso(x.at) : null, 'verified_at only on approved');
  assert.equal(d.to, x.to);
  assert.equal(d.verification_status, x.status);
  assert.equal(d.country, x.country);
  assert.equal(d.code_length, 6);
  assert.equal(d.expired_at, iso(x.createdAt + TTL), 'expired_at = created + ttl');
  assert.deepEqual(Object.keys(d.send_code_attempts).sort(), ['attempts', 'count']);
  assert.equal(d.send_code_attempts.count, x.sends.length);
  assert.equal(d.send_code_attempts.attempts.length, x.sends.length);
  d.send_code_attempts.attempts.forEach((a: Record<string, unknown>, i: number) => {
    const s = x.sends[i]!;
    assert.deepEqual(Object.keys(a).sort(), SEND_KEYS);
    assert.deepEqual(a, { time: iso(s.time), channel: s.channel, attempt_sid: s.sid, delivery_status: s.deliveryStatus, error_code: null, locale: s.locale });
  });
  assert.deepEqual(Object.keys(d.check_attempts).sort(), ['attempts', 'count']);
  assert.equal(d.check_attempts.count, x.checks.length);
  assert.deepEqual(d.check_attempts.attempts.map((c: Record<string, unknown>) => Object.keys(c).sort()), x.checks.map(() => CHECK_KEYS));
  assert.deepEqual(d.check_attempts.attempts.map((c: { status: string }) => c.status), x.checks);
}

onEachBackend('event delivery: what arrives', async (t, server, clock) => {
  await t.test('all five status events arrive, one per request, in the seed shape, signed', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    // A destination with its own query: the signature's bodySHA256 must be appended with '&'.
    await subscribeWebhook(acct, receiver.url('/hook?tenant=acme'));
    const base = { serviceSid: svc.sid, accountSid: acct.sid, customFriendlyName: 'Acme' };
    let n = 0;
    const next = async () => (await receiver.waitForCount(++n))[n - 1]!;

    // 1. start -> pending, the send still queued (the event is written with the start, before delivery).
    const US1 = '+15017122661';
    const v1 = await api.verifications.create({ to: US1, channel: 'sms' });
    const created1 = clock.now().getTime();
    const sms = { sid: v1.sendCodeAttempts[0]!.attempt_sid, channel: 'SMS', time: created1, locale: 'en' };
    const v1Base = { ...base, verificationSid: v1.sid, to: US1, country: 'US', createdAt: created1 };
    assertEvent(await next(), { ...v1Base, type: T.pending, status: 'PENDING', at: created1, sends: [{ ...sms, deliveryStatus: 'QUEUED' }], checks: [] });

    // 2. resend -> pending again, listing both sends; the first one delivered by now.
    clock.advance(1_000);
    const again = await api.verifications.create({ to: US1, channel: 'call' });
    assert.equal(again.sid, v1.sid);
    const call = { sid: again.sendCodeAttempts[1]!.attempt_sid, channel: 'CALL', time: created1 + 1_000, locale: 'en' };
    const resent = await next();
    assertEvent(resent, {
      ...v1Base, type: T.pending, status: 'PENDING', at: created1 + 1_000,
      sends: [{ ...sms, deliveryStatus: 'DELIVERED' }, { ...call, deliveryStatus: 'QUEUED' }], checks: [],
    });

    // 3. the right code -> approved, verified_at the moment of the check.
    clock.advance(1_000);
    const { code } = await server.latestMessage(acct, US1);
    assert.equal((await api.verificationChecks.create({ to: US1, code })).status, 'approved');
    assertEvent(await next(), {
      ...v1Base, type: T.approved, status: 'APPROVED', at: created1 + 2_000,
      sends: [{ ...sms, deliveryStatus: 'DELIVERED' }, { ...call, deliveryStatus: 'DELIVERED' }], checks: ['SUCCESS'],
    });

    // 4. Status=canceled -> canceled; CustomFriendlyName is the start's.
    const US2 = '+447400123456';
    const v2 = await api.verifications.create({ to: US2, channel: 'whatsapp', customFriendlyName: 'Acme Login', locale: 'fr' });
    const created2 = clock.now().getTime();
    const wa = { sid: v2.sendCodeAttempts[0]!.attempt_sid, channel: 'WHATSAPP', time: created2, locale: 'fr' };
    const v2Base = { ...base, verificationSid: v2.sid, to: US2, country: 'GB', createdAt: created2, customFriendlyName: 'Acme Login' };
    assertEvent(await next(), { ...v2Base, type: T.pending, status: 'PENDING', at: created2, sends: [{ ...wa, deliveryStatus: 'QUEUED' }], checks: [] });
    clock.advance(500);
    await api.verifications(v2.sid).update({ status: 'canceled' });
    assertEvent(await next(), { ...v2Base, type: T.canceled, status: 'CANCELED', at: created2 + 500, sends: [{ ...wa, deliveryStatus: 'DELIVERED' }], checks: [] });

    // 5. five wrong codes are no status change (no event); the sixth check -> max-attempts-reached.
    const US3 = '+15017122662';
    const v3 = await api.verifications.create({ to: US3, channel: 'sms' });
    const created3 = clock.now().getTime();
    const s3 = { sid: v3.sendCodeAttempts[0]!.attempt_sid, channel: 'SMS', time: created3, locale: 'en' };
    const v3Base = { ...base, verificationSid: v3.sid, to: US3, country: 'US', createdAt: created3 };
    assertEvent(await next(), { ...v3Base, type: T.pending, status: 'PENDING', at: created3, sends: [{ ...s3, deliveryStatus: 'QUEUED' }], checks: [] });
    const bad = wrongCode((await server.latestMessage(acct, US3)).code);
    for (let i = 0; i < 5; i++) assert.equal((await api.verificationChecks.create({ to: US3, code: bad })).valid, false);
    clock.advance(700);
    await rejectsWith(api.verificationChecks.create({ to: US3, code: bad }), 429, 60202);
    const fives = Array(5).fill('FAILURE');
    assertEvent(await next(), { ...v3Base, type: T.maxAttempts, status: 'MAX_ATTEMPTS_REACHED', at: created3 + 700, sends: [{ ...s3, deliveryStatus: 'DELIVERED' }], checks: fives });

    // 6. the validity ends and the expiry sweep finds it -> expired (an email: country is null).
    const EMAIL = 'someone@example.com';
    const v4 = await api.verifications.create({ to: EMAIL, channel: 'email' });
    const created4 = clock.now().getTime();
    const mail = { sid: v4.sendCodeAttempts[0]!.attempt_sid, channel: 'EMAIL', time: created4, locale: 'en' };
    const v4Base = { ...base, verificationSid: v4.sid, to: EMAIL, country: null, createdAt: created4 };
    assertEvent(await next(), { ...v4Base, type: T.pending, status: 'PENDING', at: created4, sends: [{ ...mail, deliveryStatus: 'QUEUED' }], checks: [] });
    clock.advance(TTL);
    assert.equal(await expireDue(server.stores.verifications, clock.now().getTime(), 100), 1);
    assertEvent(await next(), { ...v4Base, type: T.expired, status: 'EXPIRED', at: created4 + TTL, sends: [{ ...mail, deliveryStatus: 'DELIVERED' }], checks: [] });

    // Exactly these nine, each alone in its array, each id its own.
    const events = receiver.acknowledged;
    assert.equal(events.length, 9);
    assert.deepEqual(ofVerification(events, v1.sid).map((e) => e.type), [T.pending, T.pending, T.approved]);
    assert.equal(new Set(events.map((e) => e.id)).size, 9, 'event ids are unique');
    for (const req of receiver.requests) {
      assert.equal(req.method, 'POST');
      assert.equal(req.headers['content-type'], 'application/json');
      assert.equal(req.events?.length, 1, 'without batch_events: one event per request, still an array');
      assert.deepEqual(JSON.parse(req.body), req.events);
      // The configured destination with bodySHA256 appended: what was signed is what was requested.
      assert.equal(req.url, `/hook?tenant=acme&bodySHA256=${twilio.getExpectedBodyHash(req.body)}`);
      assert.equal(req.headers.authorization, undefined, 'no credentials configured, none sent');
    }
    assertSigned(receiver, acct.authToken);
    // Another account's token does not validate these requests.
    const other = await server.account();
    assert.ok(receiver.requests.every((r) => !signatureValid(other.authToken, r)));
  });

  await t.test('credentials in the destination arrive as Basic auth and stay out of the signed URL', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    const port = new URL(receiver.origin).port;
    // An escaped '@' in the password: sent decoded, as a user would expect.
    await subscribeWebhook(acct, `http://hook-user:p%40ss@127.0.0.1:${port}/hook`, { types: [T.pending] });
    await api.verifications.create({ to: '+15017122663', channel: 'sms' });
    await receiver.waitForCount(1);
    const [req] = receiver.requests;
    assert.equal(req!.headers.authorization, `Basic ${Buffer.from('hook-user:p@ss').toString('base64')}`);
    assert.ok(req!.url.startsWith('/hook?bodySHA256='));
    assert.equal(req!.headers.host, `127.0.0.1:${port}`);
    // The receiver validates against the URL it received, which has no credentials in it...
    assert.equal(receivedUrl(req!), `http://127.0.0.1:${port}${req!.url}`);
    assert.ok(signatureValid(acct.authToken, req!));
    // ...and a signature over the URL with credentials would not match that.
    assert.equal(signatureValid(acct.authToken, req!, `http://hook-user:p%40ss@127.0.0.1:${port}${req!.url}`), false);
  });

  await t.test('batch_events: several events in one request; without it one request per event', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url('/batched'), { batch: true, types: [T.pending] });
    await subscribeWebhook(acct, receiver.url('/single'), { batch: false, types: [T.pending] });
    // Paused while the events are written, so they are all due at once when it resumes, as
    // under load; a running dispatcher would take each one as soon as it is committed.
    const dispatcher = server.dispatcher!;
    await dispatcher.stop();
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await api.verifications.create({ to: `+1501712267${i}`, channel: 'sms' })).sid);
    assert.equal(receiver.requests.length, 0);
    dispatcher.start();
    await receiver.waitForCount(10);

    const batched = receiver.requests.filter((r) => r.url.startsWith('/batched?'));
    const single = receiver.requests.filter((r) => r.url.startsWith('/single?'));
    assert.equal(batched.length, 1, 'one request for the batching sink');
    assert.equal(batched[0]!.events!.length, 5);
    assert.deepEqual(batched[0]!.events!.map((e) => e.data.verification_sid).sort(), [...sids].sort());
    assert.equal(single.length, 5, 'one request per event otherwise');
    for (const r of single) assert.equal(r.events!.length, 1);
    assert.deepEqual(single.map((r) => r.events![0]!.data.verification_sid).sort(), [...sids].sort());
    // The same event goes to both sinks under one id.
    assert.deepEqual(single.map((r) => r.events![0]!.id).sort(), batched[0]!.events!.map((e) => e.id).sort());
    assertSigned(receiver, acct.authToken);
  });

  await t.test('POST /v1/Sinks/{Sid}/Test delivers a test event whose test_id Validate accepts', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const acct = await server.account();
    const { sinkSid } = await subscribeWebhook(acct, receiver.url('/hook'), { types: [T.pending] });
    const sink = acct.client.events.v1.sinks(sinkSid);
    assert.equal((await sink.sinkTest.create()).result, 'submitted');
    const [event] = await receiver.waitForCount(1);
    assert.equal(event!.type, 'com.twilio.eventstreams.test-event');
    assert.equal(event!.data.sink_sid, sinkSid);
    assert.equal(event!.data.account_sid, acct.sid);
    assert.equal(typeof event!.data.test_id, 'string');
    assertSigned(receiver, acct.authToken);
    assert.equal((await sink.sinkValidate.create({ testId: event!.data.test_id as string })).result, 'valid');
    await assert.rejects(sink.sinkValidate.create({ testId: `${event!.data.test_id}x` }), (err: { status: number }) => err.status === 400);
  });
}, { start: START, ttlMs: TTL, dispatcher: {} });
