/**
 * SMS, WhatsApp and voice through the Twilio REST APIs, against a local stand-in of them
 * (test/support/twilio-rest.ts) that checks what the real API requires and sends signed status
 * callbacks. The start's 201 does not mean the request reached the carrier (a queue may send it
 * later): each test waits for the stand-in to receive it. Receipts move the attempt, as the
 * Attempts API shows through the official SDK; a bad signature changes nothing. Both backends.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { twilioProviderSchema } from '../../src/channels/twilio/config.js';
import { TwilioProvider } from '../../src/channels/twilio/provider.js';
import { TwilioUnavailable } from '../../src/channels/twilio/rest.js';
import { render } from '../../src/channels/render/index.js';
import type { CodeKeyring } from '../../src/domain/code/keys.js';
import type { SendRequest } from '../../src/domain/verification/sending.js';
import twilio from 'twilio';
import type { SendJobStore } from '../../src/domain/ports.js';
import { onEachBackend, setup, type Account, type ServiceApi } from '../support/server.js';
import { sendRequest } from '../support/send-request.js';
import { TwilioRestStandIn, parseTwiml, type Created, type Twiml } from '../support/twilio-rest.js';

const UPSTREAM_SID = `AC${'5e'.repeat(16)}`;
const UPSTREAM_TOKEN = 'upstream-auth-token';
const MG = `MG${'1a'.repeat(16)}`;
const HX_PROVIDER = `HX${'2b'.repeat(16)}`;
const HX_START = `HX${'3c'.repeat(16)}`;
const US = '+15017122661';
const TTL_MS = 10 * 60_000;
const ES = '+34612345678';

const standIn = await TwilioRestStandIn.start({ [UPSTREAM_SID]: UPSTREAM_TOKEN });
after(() => standIn.close());

// The providers exist before the servers; each test body tells them its server's URL and code keys.
let publicBase = '';
let codeKeys: CodeKeyring | undefined;
const keysOfServer = () => codeKeys ?? assert.fail('no server code keys');
const upstream = { type: 'twilio', account_sid: UPSTREAM_SID, auth_token: UPSTREAM_TOKEN, api_base_url: standIn.url };
const twilioFrom = new TwilioProvider(
  twilioProviderSchema.parse({ ...upstream, name: 'twilio', sms_from: '+15005550006', whatsapp_from: 'whatsapp:+14155238886', voice_from: '+15005550006' }),
  () => publicBase,
  keysOfServer,
);
const twilioService = new TwilioProvider(
  twilioProviderSchema.parse({ ...upstream, name: 'twilio-mg', messaging_service_sid: MG, whatsapp_content_sid: HX_PROVIDER }),
  () => publicBase,
  keysOfServer,
);

const routedTo = (p: TwilioProvider) => ({
  providers: [p],
  routes: Object.fromEntries(p.channels.map((c) => [c, { default: [p.name] }])),
});

/** The one attempt of a verification, through the SDK's Attempts API. */
async function attemptOf(acct: Account, verificationSid: string) {
  const [a, ...more] = await acct.client.verify.v2.verificationAttempts.list({ verificationSid });
  assert.ok(a && more.length === 0, 'one attempt');
  return a.channelData as Record<string, unknown>;
}

/** The running server's send queue; each test body sets it. */
let sendJobs: SendJobStore;

/**
 * Waits until the send queue recorded the provider's answer for the attempt (its job ended): from
 * then on receipts find the attempt by the message sid (one that comes earlier is dropped, as
 * docs/delivery.md says).
 */
async function recorded(attemptSid: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; (await sendJobs.sendJobStatus(attemptSid))?.state === 'pending'; ) {
    assert.ok(Date.now() < deadline, `the send of ${attemptSid} recorded`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts a verification and waits for the stand-in to be asked to deliver it, and for its answer to be recorded. */
async function start(api: ServiceApi, opts: { to: string; channel: string } & Record<string, unknown>): Promise<{ vSid: string; created: Created }> {
  const v = await api.verifications.create(opts);
  const to = opts.channel === 'whatsapp' ? `whatsapp:${opts.to}` : opts.to;
  const created = await standIn.waitFor((c) => c.form.To === to && !seen.has(c.sid), `the stand-in to receive ${opts.channel} to ${opts.to}`);
  seen.add(created.sid);
  await recorded(v.sendCodeAttempts.at(-1)?.attempt_sid as string);
  return { vSid: v.sid, created };
}
const seen = new Set<string>();

const codeIn = (text: string) => /(\d{6})/.exec(text)?.[1];

async function approves(api: ServiceApi, to: string, code: string | undefined): Promise<void> {
  assert.match(code ?? '', /^\d{6}$/);
  const check = await api.verificationChecks.create({ to, code: code as string });
  assert.equal(check.status, 'approved');
}

onEachBackend(
  'Twilio provider with numbers (sms_from, whatsapp_from, voice_from)',
  async (t, server) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;
    sendJobs = server.stores.sendJobs;
    const callbacks = `${server.baseUrl}/callbacks/twilio/twilio`;

    await t.test('sms: From, To, the rendered Body and verifyd StatusCallback; receipts move it queued -> sent -> delivered', async () => {
      const { acct, api } = await setup(server);
      const { vSid, created } = await start(api, { to: US, channel: 'sms' });
      assert.equal(created.resource, 'Messages');
      assert.equal(created.form.From, '+15005550006');
      assert.equal(created.form.MessagingServiceSid, undefined);
      assert.equal(created.form.StatusCallback, `${callbacks}/messages`);
      assert.match(String(created.form.Body), /^Your Acme verification code is: \d{6}$/);

      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      assert.equal((await standIn.sendStatus(created.sid, 'sent')).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'sent');
      assert.equal((await standIn.sendStatus(created.sid, 'delivered')).status, 204);
      const delivered = await attemptOf(acct, vSid);
      assert.equal(delivered.message_status, 'delivered');
      assert.equal(delivered.error_code, null);
      // A late or repeated receipt never moves it back.
      assert.equal((await standIn.sendStatus(created.sid, 'sent')).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'delivered');
      await approves(api, US, codeIn(String(created.form.Body)));
    });

    await t.test('an undelivered receipt records its ErrorCode', async () => {
      const { acct, api } = await setup(server);
      const { vSid, created } = await start(api, { to: '+14155552671', channel: 'sms' });
      await standIn.sendStatus(created.sid, 'undelivered', { errorCode: 30003 });
      const data = await attemptOf(acct, vSid);
      assert.equal(data.message_status, 'undelivered');
      assert.equal(data.error_code, '30003');
    });

    await t.test('a callback without the provider signature is refused (403, Twilio error JSON) and changes nothing', async () => {
      const { acct, api } = await setup(server);
      const { vSid, created } = await start(api, { to: '+14155552672', channel: 'sms' });
      const url = String(created.form.StatusCallback);
      const forged = [
        null, // none
        'bm90IGEgc2lnbmF0dXJl', // not a signature of anything
        // Made with the verifyd account's own token instead of the provider's.
        twilio.getExpectedTwilioSignature(acct.authToken, url, { MessageSid: created.sid, MessageStatus: 'delivered' }),
        // The provider's token, but over other parameters than those sent.
        twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, url, { MessageSid: created.sid, MessageStatus: 'sent' }),
        // The provider's token over the sent parameters, but for another URL than the one verifyd published.
        twilio.getExpectedTwilioSignature(UPSTREAM_TOKEN, url.replace('127.0.0.1', 'localhost'), { MessageSid: created.sid, MessageStatus: 'delivered' }),
      ];
      for (const signature of forged) {
        const res = await standIn.sendStatus(created.sid, 'delivered', { signature, only: ['MessageSid', 'MessageStatus'] });
        assert.equal(res.status, 403);
        assert.deepEqual(await res.json(), { code: 20403, message: 'Invalid X-Twilio-Signature', more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 });
      }
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      // The same callback, signed right, is accepted.
      assert.equal((await standIn.sendStatus(created.sid, 'delivered', { only: ['MessageSid', 'MessageStatus'] })).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'delivered');
      // A provider verifyd does not have.
      const unknown = await fetch(`${server.baseUrl}/callbacks/twilio/nope/messages`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'MessageSid=SM1&MessageStatus=delivered' });
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as { code: number }).code, 20404);
    });

    await t.test('whatsapp: whatsapp: on both addresses, the Body without a template, a start template as ContentSid with the code as {{1}}', async () => {
      const { acct, api } = await setup(server);
      const plain = await start(api, { to: ES, channel: 'whatsapp', locale: 'es' });
      assert.equal(plain.created.form.From, 'whatsapp:+14155238886');
      assert.match(String(plain.created.form.Body), /^Tu código de verificación de Acme es: \d{6}$/);
      assert.equal(plain.created.form.ContentSid, undefined);
      await approves(api, ES, codeIn(String(plain.created.form.Body)));

      const templated = await start(api, { to: ES, channel: 'whatsapp', channelConfiguration: { content_sid: HX_START } });
      assert.equal(templated.created.form.ContentSid, HX_START);
      assert.equal(templated.created.form.Body, undefined);
      const vars = JSON.parse(String(templated.created.form.ContentVariables)) as Record<string, string>;
      assert.deepEqual(Object.keys(vars), ['1']);
      await standIn.sendStatus(templated.created.sid, 'read');
      assert.equal((await attemptOf(acct, templated.vSid)).message_status, 'read');
      await approves(api, ES, vars['1']);
      // A content_sid that is no Content template SID is refused at the start.
      await assert.rejects(api.verifications.create({ to: ES, channel: 'whatsapp', channelConfiguration: { content_sid: 'HJ123' } }), { code: 60200 });
    });

    await t.test("whatsapp: the service's Whatsapp.From comes before the provider's", async () => {
      const { api } = await setup(server, { 'whatsapp.from': '+14155550000' });
      const { created } = await start(api, { to: '+14155552673', channel: 'whatsapp' });
      assert.equal(created.form.From, 'whatsapp:+14155550000');
    });

    await t.test('call: TwiML reads the localized message, digit by digit, twice, in the locale voice; SendDigits passed; call receipts', async () => {
      const { acct, api } = await setup(server);
      const { vSid, created } = await start(api, { to: ES, channel: 'call', locale: 'es', sendDigits: 'ww1234#', customFriendlyName: 'Acme Banca' });
      assert.equal(created.resource, 'Calls');
      assert.equal(created.form.From, '+15005550006');
      assert.equal(created.form.SendDigits, 'ww1234#');
      assert.equal(created.form.StatusCallback, `${callbacks}/calls`);
      assert.deepEqual(created.form.StatusCallbackEvent, ['initiated', 'ringing', 'answered', 'completed']);
      // DtmfInputRequired is off (the default): the code is read at once, no key asked for.
      assert.equal(created.twiml?.gather, undefined);
      const says = created.twiml?.says ?? [];
      assert.equal(says.length, 2);
      for (const say of says) {
        assert.equal(say.voice, 'Polly.Lucia');
        assert.equal(say.language, 'es-ES');
        assert.ok(say.text.startsWith('Tu código de verificación de Acme Banca es: '), say.text);
      }
      const spelled = /(\d(?:, \d){5})/.exec(says[0]?.text ?? '')?.[1];
      assert.ok(spelled, `digits one by one in: ${says[0]?.text}`);
      assert.equal(says[0]?.text.split(spelled).length, 3, 'the code twice in the message');
      await approves(api, ES, spelled.replaceAll(', ', ''));

      assert.equal((await attemptOf(acct, vSid)).call_status, 'queued');
      for (const status of ['initiated', 'ringing', 'in-progress', 'completed']) {
        assert.equal((await standIn.sendStatus(created.sid, status)).status, 204);
        assert.equal((await attemptOf(acct, vSid)).call_status, status === 'initiated' ? 'queued' : status);
      }
      await standIn.sendStatus(created.sid, 'ringing');
      assert.equal((await attemptOf(acct, vSid)).call_status, 'completed');
    });

    await t.test("call: the service's TtsName is the voice", async () => {
      const { api } = await setup(server, { ttsName: 'Polly.Conchita' });
      const { created } = await start(api, { to: '+34612345679', channel: 'call', locale: 'es' });
      assert.deepEqual(created.twiml?.says.map((s) => [s.voice, s.language]), [['Polly.Conchita', 'es-ES'], ['Polly.Conchita', 'es-ES']]);
    });

    await t.test("call with the service's DtmfInputRequired: a Gather posting to verifyd, no code until a key is pressed; the key's answer reads it", async () => {
      const { api } = await setup(server, { dtmfInputRequired: true });
      const to = '+14155552680';
      const { created } = await start(api, { to, channel: 'call' });
      const first = created.twiml as Twiml;
      const gather = first.gather ?? assert.fail('a Gather');
      assert.deepEqual({ ...gather.attributes, action: undefined }, { input: 'dtmf', numDigits: '1', finishOnKey: '', timeout: '5', method: 'POST', action: undefined });
      assert.ok(gather.attributes.action?.startsWith(`${callbacks}/calls/gather?`), gather.attributes.action);
      assert.deepEqual(gather.says.map((s) => s.text), Array(2).fill('This is Acme. Press any key to hear your verification code.'));
      // No key: the call goes on past the Gather, says goodbye and hangs up.
      assert.deepEqual(first.says.map((s) => s.text), ['No key was pressed. Goodbye.']);
      assert.equal(first.hangup, true);

      const pressed = await standIn.pressKey(created.sid, '7');
      assert.equal(pressed.status, 200);
      assert.match(pressed.headers.get('content-type') ?? '', /^text\/xml/);
      const answer = parseTwiml(await pressed.text()) as Twiml;
      assert.equal(answer.says.length, 2);
      assert.ok(answer.says[0]?.text.startsWith('Your Acme verification code is: '), answer.says[0]?.text);
      const spelled = /(\d(?:, \d){5})/.exec(answer.says[0]?.text ?? '')?.[1] ?? assert.fail('the code digit by digit');
      const code = spelled.replaceAll(', ', '');
      // The first TwiML held the code in no form: neither spelled nor whole, in the text or the URL.
      assert.ok(!String(created.form.Twiml).includes(spelled) && !String(created.form.Twiml).includes(code));
      await approves(api, to, code);
    });

    await t.test("a call's key press: a bad signature is refused (403), a tampered or misdirected URL says nothing and hangs up", async () => {
      const { api } = await setup(server, { dtmfInputRequired: true });
      const { created } = await start(api, { to: '+14155552681', channel: 'call' });
      const action = new URL(created.twiml?.gather?.attributes.action ?? assert.fail('a Gather'));
      for (const signature of [null, twilio.getExpectedTwilioSignature('another-token', action.href, { Digits: '1' })]) {
        const res = await standIn.pressKey(created.sid, '1', { signature });
        assert.equal(res.status, 403);
        assert.deepEqual(await res.json(), { code: 20403, message: 'Invalid X-Twilio-Signature', more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 });
      }
      const sealed = action.searchParams.get('c') ?? '';
      const flipped = `${sealed.slice(0, 20)}${sealed[20] === 'A' ? 'B' : 'A'}${sealed.slice(21)}`;
      const tampered = [
        { c: flipped }, // the sealed text changed
        { a: `VL${'0'.repeat(32)}` }, // sealed for another attempt
        { k: 'nope' }, // a key verifyd does not have
        { c: '' }, // nothing sealed
        { c: null }, // no c at all
      ];
      for (const change of tampered) {
        const url = new URL(action);
        for (const [k, v] of Object.entries(change)) (v === null ? url.searchParams.delete(k) : url.searchParams.set(k, v));
        // Signed right (as Twilio would sign whatever URL it was given): the seal is what refuses it.
        const res = await standIn.pressKey(created.sid, '1', { url: url.href });
        assert.equal(res.status, 200, JSON.stringify(change));
        assert.deepEqual(parseTwiml(await res.text()), { says: [], pauses: 0, hangup: true }, JSON.stringify(change));
      }
    });

    await t.test('a refusal (400, 21211) fails the attempt with that code', async () => {
      standIn.refuseDestination('+14155552679', 21211, "Invalid 'To' Phone Number");
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: '+14155552679', channel: 'sms' });
      assert.equal(v.status, 'pending');
      await recorded(v.sendCodeAttempts[0]?.attempt_sid as string);
      const data = await attemptOf(acct, v.sid);
      assert.equal(data.message_status, 'failed');
      assert.equal(data.error_code, '21211');
    });
  },
  { providers: routedTo(twilioFrom) },
);

onEachBackend(
  'Twilio provider with a Messaging Service and a WhatsApp template',
  async (t, server) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;
    sendJobs = server.stores.sendJobs;

    await t.test('sms: MessagingServiceSid instead of From', async () => {
      const { api } = await setup(server);
      const { created } = await start(api, { to: US, channel: 'sms' });
      assert.equal(created.form.MessagingServiceSid, MG);
      assert.equal(created.form.From, undefined);
      assert.equal(created.form.StatusCallback, `${server.baseUrl}/callbacks/twilio/twilio-mg/messages`);
      await approves(api, US, codeIn(String(created.form.Body)));
    });

    await t.test("whatsapp: the provider's template with the code as {{1}}; the service's Messaging Service", async () => {
      const { acct, api } = await setup(server, { 'whatsapp.msgServiceSid': `MG${'9f'.repeat(16)}` });
      const { vSid, created } = await start(api, { to: ES, channel: 'whatsapp' });
      assert.equal(created.form.To, `whatsapp:${ES}`);
      assert.equal(created.form.MessagingServiceSid, `MG${'9f'.repeat(16)}`);
      assert.equal(created.form.ContentSid, HX_PROVIDER);
      const code = (JSON.parse(String(created.form.ContentVariables)) as Record<string, string>)['1'];
      await standIn.sendStatus(created.sid, 'failed', { errorCode: 63016 });
      const data = await attemptOf(acct, vSid);
      assert.deepEqual([data.message_status, data.error_code], ['failed', '63016']);
      await approves(api, ES, code);
    });
  },
  { providers: routedTo(twilioService) },
);

onEachBackend(
  "Twilio provider: a call's key-press step ends with the code's validity",
  async (t, server, clock) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;
    sendJobs = server.stores.sendJobs;

    await t.test('a key pressed before the verification expires reads the code; at its expiry the same request hangs up', async () => {
      const { api } = await setup(server, { dtmfInputRequired: true });
      const { created } = await start(api, { to: '+14155552682', channel: 'call' });
      clock.advance(TTL_MS - 1);
      const before = parseTwiml(await (await standIn.pressKey(created.sid, '1')).text()) as Twiml;
      assert.equal(before.says.length, 2);
      clock.advance(1);
      const after = parseTwiml(await (await standIn.pressKey(created.sid, '1')).text());
      assert.deepEqual(after, { says: [], pauses: 0, hangup: true });
    });
  },
  { providers: routedTo(twilioFrom), start: new Date('2026-03-01T10:00:00Z'), ttlMs: TTL_MS },
);

const request = (over: Partial<SendRequest>): SendRequest => sendRequest({ to: US, ...over });

test('an API that is down, overloaded, too slow or unreachable is thrown (retryable); a refusal is returned (permanent)', async () => {
  const req = request({});
  for (const status of [500, 503, 429]) {
    standIn.failNext(status);
    await assert.rejects(twilioFrom.send(req, render(req)), (e: Error) => e instanceof TwilioUnavailable && e.message.includes(String(status)) && !e.message.includes('482913'));
  }
  const impatient = new TwilioProvider(twilioProviderSchema.parse({ ...upstream, name: 'slow', sms_from: '+15005550006', timeout_ms: 200 }), () => 'http://verifyd.test', keysOfServer);
  standIn.failNext('hang');
  await assert.rejects(impatient.send(req, render(req)), /timed out after 200 ms/);
  const closed = new TwilioProvider(twilioProviderSchema.parse({ ...upstream, api_base_url: 'http://127.0.0.1:9', name: 'down', sms_from: '+15005550006' }), () => 'http://verifyd.test', keysOfServer);
  await assert.rejects(closed.send(req, render(req)), TwilioUnavailable);

  const wrongToken = new TwilioProvider(twilioProviderSchema.parse({ ...upstream, auth_token: 'wrong', name: 'x', sms_from: '+15005550006' }), () => 'http://verifyd.test', keysOfServer);
  assert.deepEqual(await wrongToken.send(req, render(req)), { status: 'failed', errorCode: 20003 });
});
