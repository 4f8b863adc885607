/**
 * SMS through Vonage's SMS API, against a local stand-in of it (test/support/vonage.ts) that checks
 * what the real API requires and sends delivery receipts signed as Vonage signs its webhooks.
 * verifyd runs with a VERIFYD_CONFIG file naming a `vonage` provider, as an operator would
 * configure it; starts and the Attempts API go through the official SDK. Both backends.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { vonageSettings } from '../../src/channels/vonage/config.js';
import { VonageProvider, VonageUnavailable } from '../../src/channels/vonage/provider.js';
import { render } from '../../src/channels/render/index.js';
import { sendRequest } from '../support/send-request.js';
import type { SendJobStore } from '../../src/domain/ports.js';
import { attemptOf, providersFile, recorded } from '../support/provider-config.js';
import { onEachBackend, setup, type ServiceApi } from '../support/server.js';
import { VonageStandIn, type VonageSms } from '../support/vonage.js';

const account = { key: 'a1b2c3d4', secret: 'vonage-api-secret', signatureSecret: 'vonage-signature-secret', method: 'sha256' };
const standIn = await VonageStandIn.start(account);
after(() => standIn.close());

const config = providersFile({
  providers: [
    {
      name: 'vonage',
      type: 'vonage',
      api_key: account.key,
      api_secret: account.secret,
      signature_secret: account.signatureSecret,
      api_base_url: standIn.url,
      from: 'Acme',
    },
  ],
  routes: { sms: ['vonage'] },
});
const env = { VERIFYD_CONFIG: config, SEND_DISPATCHER: 'on' };

const TWILIO_403 = { code: 20403, message: 'Invalid receipt signature', more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 };

let sendJobs: SendJobStore;

/** Starts an sms and waits until the stand-in has it and verifyd has recorded Vonage's answer. */
async function start(api: ServiceApi, to: string, opts: Record<string, unknown> = {}): Promise<{ vSid: string; attemptSid: string; sms: VonageSms }> {
  const v = await api.verifications.create({ to, channel: 'sms', ...opts });
  assert.equal(v.status, 'pending');
  const attemptSid = v.sendCodeAttempts.at(-1)?.attempt_sid as string;
  const sms = await standIn.waitFor((m) => m.form['client-ref'] === attemptSid, `the SMS of ${attemptSid}`);
  await recorded(sendJobs, attemptSid);
  return { vSid: v.sid, attemptSid, sms };
}

onEachBackend(
  'Vonage SMS API provider',
  async (t, server) => {
    sendJobs = server.stores.sendJobs;

    await t.test('the request Vonage takes; signed receipts by GET, form and JSON move the attempt sent -> delivered; the code checks', async () => {
      const { acct, api } = await setup(server);
      const { vSid, attemptSid, sms } = await start(api, '+447911123123');
      assert.equal(sms.form.api_key, account.key);
      assert.equal(sms.form.api_secret, account.secret);
      assert.equal(sms.form.from, 'Acme');
      assert.equal(sms.form.to, '447911123123');
      assert.equal(sms.form.type, 'text');
      assert.equal(sms.form.callback, `${server.baseUrl}/callbacks/vonage/vonage`);
      assert.equal(sms.form['client-ref'], attemptSid);
      assert.match(sms.form.text as string, /^Your Acme verification code is: \d{6}$/);

      const sent = await attemptOf(acct, vSid);
      assert.equal(sent.message_status, 'sent');
      assert.equal((await standIn.sendReceipt(sms, 'buffered', { method: 'GET' })).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'sent');
      assert.equal((await standIn.sendReceipt(sms, 'delivered', { method: 'POST-JSON' })).status, 204);
      const delivered = await attemptOf(acct, vSid);
      assert.deepEqual([delivered.message_status, delivered.error_code], ['delivered', null]);
      // A late receipt never moves it back.
      assert.equal((await standIn.sendReceipt(sms, 'accepted', { method: 'POST' })).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'delivered');

      const code = /(\d{6})/.exec(sms.form.text as string)?.[1] as string;
      assert.equal((await api.verificationChecks.create({ to: '+447911123123', code })).status, 'approved');
    });

    await t.test('a text outside GSM-7 goes as unicode', async () => {
      const { api } = await setup(server);
      const { sms } = await start(api, '+447911123124', { locale: 'ru' });
      assert.equal(sms.form.type, 'unicode');
    });

    await t.test("failure receipts: failed is undelivered, rejected is failed, each with err-code's Twilio code", async () => {
      const { acct, api } = await setup(server);
      const a = await start(api, '+447911123125');
      await standIn.sendReceipt(a.sms, 'failed', { errCode: '6' });
      assert.deepEqual(Object.values(pick(await attemptOf(acct, a.vSid))), ['undelivered', '30007']);
      const b = await start(api, '+447911123126');
      await standIn.sendReceipt(b.sms, 'rejected', { errCode: '99' });
      assert.deepEqual(Object.values(pick(await attemptOf(acct, b.vSid))), ['failed', '30008']);
    });

    await t.test('a receipt not signed with the signature secret, tampered with or stale is refused (403) and changes nothing', async () => {
      const { acct, api } = await setup(server);
      const { vSid, sms } = await start(api, '+447911123127');
      const forged = [
        { secret: null }, // no sig
        { secret: account.secret }, // the API secret, not the signature secret
        { tamper: { status: 'delivered' } }, // signed as "failed", sent as "delivered"
        { tamper: { messageId: 'ABCDEF0123456789' } },
        { timestamp: Math.floor(Date.now() / 1000) - 3600 }, // a replay an hour later
      ] as const;
      for (const opts of forged) {
        for (const method of ['GET', 'POST', 'POST-JSON'] as const) {
          const res = await standIn.sendReceipt(sms, 'failed', { ...opts, method });
          assert.equal(res.status, 403, JSON.stringify({ ...opts, method }));
          assert.deepEqual(await res.json(), TWILIO_403);
        }
      }
      assert.equal((await attemptOf(acct, vSid)).message_status, 'sent');
      const unknown = await fetch(`${server.baseUrl}/callbacks/vonage/nope`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'messageId=1&status=delivered' });
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as { code: number }).code, 20404);
    });

    await t.test('a refusal (status 7, barred number) fails the attempt with 21610; the start is still 201', async () => {
      standIn.refuseDestination('447911123199', '7', 'Barred number');
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: '+447911123199', channel: 'sms' });
      assert.equal(v.status, 'pending');
      await recorded(sendJobs, v.sendCodeAttempts[0]?.attempt_sid as string);
      assert.deepEqual(Object.values(pick(await attemptOf(acct, v.sid))), ['failed', '21610']);
    });

    await t.test('throttled (status 1) is tried again and sent', async () => {
      standIn.failNext({ status: '1' });
      const { acct, api } = await setup(server);
      const { vSid } = await start(api, '+447911123128');
      assert.equal((await attemptOf(acct, vSid)).message_status, 'sent');
    });

    await t.test('Vonage down (500 on every try) is retried, then the attempt fails with 30008', async () => {
      standIn.failNext(500, 3);
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: '+447911123129', channel: 'sms' });
      assert.equal(v.status, 'pending');
      await recorded(sendJobs, v.sendCodeAttempts[0]?.attempt_sid as string);
      assert.deepEqual(Object.values(pick(await attemptOf(acct, v.sid))), ['failed', '30008']);
      assert.equal(standIn.sent.filter((m) => m.form.to === '447911123129').length, 0);
    });
  },
  { env },
);

onEachBackend(
  "Vonage receipts: the timestamp is judged by verifyd's clock",
  async (t, server, clock) => {
    sendJobs = server.stores.sendJobs;
    await t.test('a receipt signed five minutes before the clock is accepted; one signed later than that is refused', async () => {
      const { acct, api } = await setup(server);
      const { vSid, sms } = await start(api, '+447911123130');
      clock.advance(600_000);
      const nowSeconds = () => Math.floor(clock.now().getTime() / 1000);
      assert.equal((await standIn.sendReceipt(sms, 'accepted', { timestamp: nowSeconds() - 301 })).status, 403);
      assert.equal((await standIn.sendReceipt(sms, 'delivered', { timestamp: nowSeconds() - 300 })).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'delivered');
    });
  },
  { env, start: new Date() },
);

const pick = (d: Record<string, unknown>) => ({ message_status: d.message_status, error_code: d.error_code });

test('direct: an API that hangs past timeout_ms or is not listening is thrown (retryable), never with the code or the secret in the message', async () => {
  const vonage = (url: string) =>
    new VonageProvider('v', vonageSettings().parse({ api_key: account.key, api_secret: account.secret, signature_secret: account.signatureSecret, api_base_url: url, from: 'Acme', timeout_ms: 200 }), () => 'http://verifyd.test');
  const req = sendRequest({ to: '+447911123999' });
  const hidden = (e: Error) => e instanceof VonageUnavailable && !e.message.includes(req.code) && !e.message.includes(account.secret);
  standIn.failNext('hang');
  await assert.rejects(vonage(standIn.url).send(req, render(req)), (e: Error) => hidden(e) && /timed out after 200 ms/.test(e.message));
  await assert.rejects(vonage('http://127.0.0.1:9').send(req, render(req)), hidden);
  standIn.failNext(429);
  await assert.rejects(vonage(standIn.url).send(req, render(req)), hidden);
  const sent = await vonage(standIn.url).send(req, render(req));
  assert.deepEqual([sent.status, sent.providerMessageId], ['sent', standIn.sent.at(-1)?.messageIds[0]]);
  // A text longer than one part: every part accepted, the first part's id recorded.
  const long = await vonage(standIn.url).send(req, { ...render(req), body: 'x'.repeat(200) });
  assert.equal(standIn.sent.at(-1)?.messageIds.length, 2);
  assert.equal(long.providerMessageId, standIn.sent.at(-1)?.messageIds[0]);
});
