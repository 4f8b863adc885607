/**
 * The inbox provider and GET /inbox/messages: the message a user would get on each channel
 * (friendly name, code, do-not-share warning, App Hash, voice text with SendDigits, email subject
 * and body), the list's fields, filters and order, and isolation between accounts. Both backends.
 */
import assert from 'node:assert/strict';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const US = '+15017122661';
const GB = '+447400123456';
const FR = '+33612345678';
const EMAIL = 'ann@example.com';
/** The servers run on a ManualClock starting here. */
const CLOCK = { start: new Date('2025-03-01T12:00:00Z') };

interface Message {
  to: string;
  channel: string;
  locale: string;
  subject: string | null;
  body: string;
  code: string;
  service_sid: string;
  verification_sid: string;
  attempt_sid: string;
  date_created: string;
}

async function inbox(server: TestServer, acct: Account, query: Record<string, string> = {}): Promise<Message[]> {
  const res = await server.fetch(`/inbox/messages?${new URLSearchParams(query).toString()}`, { auth: { user: acct.sid, pass: acct.authToken } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

onEachBackend('inbox', async (t, server, clock) => {
  await t.test('an SMS: localized text with the service name and the code; every listed field', async () => {
    const { acct, svc, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const [m, ...rest] = await inbox(server, acct);
    assert.equal(rest.length, 0);
    assert.deepEqual(Object.keys(m!).sort(), ['attempt_sid', 'body', 'channel', 'code', 'date_created', 'locale', 'service_sid', 'subject', 'to', 'verification_sid']);
    assert.match(m!.code, /^\d{6}$/);
    assert.deepEqual(m, {
      to: US,
      channel: 'sms',
      locale: 'en',
      subject: null,
      body: `Your Acme verification code is: ${m!.code}`,
      code: m!.code,
      service_sid: svc.sid,
      verification_sid: v.sid,
      attempt_sid: v.sendCodeAttempts[0]?.attempt_sid,
      date_created: '2025-03-01T12:00:00Z',
    });
  });

  await t.test('the do-not-share warning where the service enables it', async () => {
    const { acct, api } = await setup(server, { doNotShareWarningEnabled: true });
    await api.verifications.create({ to: US, channel: 'sms' });
    const m = await server.latestMessage(acct, US);
    assert.equal(m.body, `Your Acme verification code is: ${m.code} Do not share this code with anyone. We will never ask you for it.`);
    await api.verifications.create({ to: FR, channel: 'sms' });
    const fr = await server.latestMessage(acct, FR);
    assert.match(fr.body, /^Votre code de vérification Acme est : \d{6} Ne partagez ce code avec personne\./);
    const plain = await setup(server);
    await plain.api.verifications.create({ to: US, channel: 'sms' });
    assert.doesNotMatch((await server.latestMessage(plain.acct, US)).body, /share/);
  });

  await t.test('the SMS App Hash suffix', async () => {
    const { acct, api } = await setup(server);
    await api.verifications.create({ to: US, channel: 'sms', appHash: 'He42w354ol9' });
    const m = await server.latestMessage(acct, US);
    assert.equal(m.body, `<#> Your Acme verification code is: ${m.code} He42w354ol9`);
  });

  await t.test('CustomFriendlyName replaces the service name', async () => {
    const { acct, api } = await setup(server);
    await api.verifications.create({ to: US, channel: 'sms', customFriendlyName: 'Acme Banking' });
    const m = await server.latestMessage(acct, US);
    assert.equal(m.body, `Your Acme Banking verification code is: ${m.code}`);
  });

  await t.test('a call: the voice text spells the code, and SendDigits is shown', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'call', sendDigits: 'ww1234#' });
    assert.equal(v.channel, 'call');
    assert.equal(v.sendCodeAttempts[0]?.channel, 'CALL');
    const m = await server.latestMessage(acct, US);
    assert.equal(m.channel, 'call');
    const spelled = m.code.split('').join(', ');
    assert.equal(m.body, `Your Acme verification code is: ${spelled}. Once again, your code is: ${spelled}.\n[send digits: ww1234#]`);
    assert.equal((await api.verificationChecks.create({ to: US, code: m.code })).status, 'approved');
  });

  await t.test('whatsapp carries the same sentence', async () => {
    const { acct, api } = await setup(server);
    await api.verifications.create({ to: GB, channel: 'whatsapp' });
    const m = await server.latestMessage(acct, GB);
    assert.equal(m.channel, 'whatsapp');
    assert.equal(m.locale, 'en-GB');
    assert.equal(m.body, `Your Acme verification code is: ${m.code}`);
  });

  await t.test('an email: subject and body; the check by email address approves', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: EMAIL, channel: 'email' });
    assert.equal(v.to, EMAIL);
    assert.equal(v.channel, 'email');
    const m = await server.latestMessage(acct, EMAIL);
    assert.equal(m.channel, 'email');
    assert.equal(m.subject, 'Your Acme verification code');
    assert.match(m.body, new RegExp(`^Your Acme verification code is: ${m.code}\\n\\nThe code is valid for 10 minutes\\.`));
    const c = await api.verificationChecks.create({ to: EMAIL, code: m.code });
    assert.equal(c.status, 'approved');
    assert.equal(c.channel, 'email');
    await assert.rejects(api.verifications.create({ to: 'ann at example.com', channel: 'email' }), { status: 400, code: 60200 });
  });

  await t.test('filters To, Channel and ServiceSid; newest first; PageSize', async () => {
    const acct = await server.account();
    const one = await setup(server, {}, acct);
    const two = await setup(server, {}, acct);
    await one.api.verifications.create({ to: US, channel: 'sms' });
    clock.advance(1000);
    await one.api.verifications.create({ to: GB, channel: 'whatsapp' });
    clock.advance(1000);
    await two.api.verifications.create({ to: US, channel: 'call' });
    clock.advance(1000);
    await one.api.verifications.create({ to: US, channel: 'call' });

    const all = await inbox(server, acct);
    assert.deepEqual(all.map((m) => [m.service_sid, m.to, m.channel]), [
      [one.svc.sid, US, 'call'],
      [two.svc.sid, US, 'call'],
      [one.svc.sid, GB, 'whatsapp'],
      [one.svc.sid, US, 'sms'],
    ]);
    assert.deepEqual(all.map((m) => m.date_created), ['2025-03-01T12:00:03Z', '2025-03-01T12:00:02Z', '2025-03-01T12:00:01Z', '2025-03-01T12:00:00Z']);
    assert.deepEqual((await inbox(server, acct, { To: US })).map((m) => m.channel), ['call', 'call', 'sms']);
    assert.deepEqual((await inbox(server, acct, { Channel: 'whatsapp' })).map((m) => m.to), [GB]);
    assert.deepEqual((await inbox(server, acct, { ServiceSid: two.svc.sid })).map((m) => m.to), [US]);
    assert.deepEqual((await inbox(server, acct, { ServiceSid: one.svc.sid, To: US, Channel: 'sms' })).length, 1);
    assert.deepEqual(await inbox(server, acct, { To: FR }), []);
    assert.deepEqual((await inbox(server, acct, { PageSize: '2' })).map((m) => m.date_created), ['2025-03-01T12:00:03Z', '2025-03-01T12:00:02Z']);
    // The resend to US on service one carried the same code as the first SMS.
    const usOne = await inbox(server, acct, { ServiceSid: one.svc.sid, To: US });
    assert.equal(usOne[0]?.code, usOne[1]?.code);
    assert.equal(usOne[0]?.verification_sid, usOne[1]?.verification_sid);
    assert.notEqual(usOne[0]?.attempt_sid, usOne[1]?.attempt_sid);
  });

  await t.test('the inbox needs Basic auth and a sane PageSize', async () => {
    const acct = await server.account();
    const none = await server.fetch('/inbox/messages');
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: number }).code, 20003);
    const wrong = await server.fetch('/inbox/messages', { auth: { user: acct.sid, pass: 'nope' } });
    assert.equal(wrong.status, 401);
    const bad = await server.fetch('/inbox/messages?PageSize=0', { auth: { user: acct.sid, pass: acct.authToken } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: number }).code, 60200);
  });

  await t.test('account B can neither see nor touch account A’s verifications or inbox', async () => {
    const a = await setup(server);
    const b = await setup(server);
    const v = await a.api.verifications.create({ to: US, channel: 'sms' });
    const { code } = await server.latestMessage(a.acct, US);
    const intruder = b.acct.client.verify.v2.services(a.svc.sid);
    const path = `The requested resource /Services/${a.svc.sid}/Verifications/${v.sid} was not found`;
    await assert.rejects(intruder.verifications(v.sid).fetch(), { status: 404, code: 20404, message: path });
    await assert.rejects(intruder.verifications(US).fetch(), { status: 404, code: 20404 });
    await assert.rejects(intruder.verifications(v.sid).update({ status: 'canceled' }), { status: 404, code: 20404, message: path });
    await assert.rejects(intruder.verifications(US).update({ status: 'approved' }), { status: 404, code: 20404 });
    await assert.rejects(intruder.verificationChecks.create({ to: US, code }), { status: 404, code: 20404 });
    await assert.rejects(intruder.verificationChecks.create({ verificationSid: v.sid, code }), { status: 404, code: 20404 });
    await assert.rejects(intruder.verifications.create({ to: US, channel: 'sms' }), { status: 404, code: 20404 });
    // B's own service does not reach A's verification either.
    await assert.rejects(b.api.verifications(v.sid).fetch(), { status: 404, code: 20404 });
    await assert.rejects(b.api.verificationChecks.create({ verificationSid: v.sid, code }), { status: 404, code: 20404 });
    // B's inbox has none of A's messages, even when filtering by A's service or number.
    assert.deepEqual(await inbox(server, b.acct), []);
    assert.deepEqual(await inbox(server, b.acct, { ServiceSid: a.svc.sid }), []);
    assert.deepEqual(await inbox(server, b.acct, { To: US }), []);
    // Nothing B did counted against or changed A's verification.
    const still = await a.api.verifications(v.sid).fetch();
    assert.equal(still.status, 'pending');
    assert.equal(still.sendCodeAttempts.length, 1);
    assert.equal((await server.stores.verifications.getVerification(a.svc.sid, v.sid))?.checkCount, 0);
    assert.equal((await a.api.verificationChecks.create({ to: US, code })).status, 'approved');
  });

  await t.test('an API key of the account sees the same verification', async () => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    const keyed = await server.apiKeyClient(acct.sid);
    const fetched = await keyed.verify.v2.services(v.serviceSid).verifications(v.sid).fetch();
    assert.equal(fetched.sid, v.sid);
  });
}, CLOCK);
