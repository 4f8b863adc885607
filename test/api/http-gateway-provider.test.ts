/**
 * The `http` provider: codes POSTed as signed JSON to the team's own gateway, here a local receiver
 * (test/support/gateway.ts) that verifies the signature as docs/delivery.md tells a gateway to, and
 * answers or refuses as told; its signed receipts come back to /callbacks/http/{provider}.
 * verifyd runs with a VERIFYD_CONFIG file routing every channel to the gateway; starts and the
 * Attempts API go through the official SDK. Both backends.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, test } from 'node:test';
import { httpGatewaySettings } from '../../src/channels/http-gateway/config.js';
import { GatewayUnavailable, HttpGatewayProvider } from '../../src/channels/http-gateway/provider.js';
import { render } from '../../src/channels/render/index.js';
import { sendRequest } from '../support/send-request.js';
import type { SendJobStore } from '../../src/domain/ports.js';
import { GatewayReceiver, type GatewayReceived } from '../support/gateway.js';
import { attemptOf, providersFile, recorded } from '../support/provider-config.js';
import { onEachBackend, setup, type ServiceApi } from '../support/server.js';

const SECRET = 'gateway-shared-secret-0123456789';
const receiver = await GatewayReceiver.start(SECRET);
after(() => receiver.close());

const config = providersFile({
  providers: [{ name: 'gateway', type: 'http', url: receiver.url, secret: SECRET }],
  routes: { sms: ['gateway'], call: ['gateway'], whatsapp: ['gateway'], email: ['gateway'] },
});

let sendJobs: SendJobStore;

/** Starts a verification and waits until the gateway has it and verifyd has recorded the answer. */
async function start(api: ServiceApi, to: string, channel: string, opts: Record<string, unknown> = {}): Promise<{ vSid: string; attemptSid: string; m: GatewayReceived }> {
  const v = await api.verifications.create({ to, channel, ...opts });
  assert.equal(v.status, 'pending');
  const attemptSid = v.sendCodeAttempts.at(-1)?.attempt_sid as string;
  const m = await receiver.waitFor((r) => r.body.attempt_sid === attemptSid, `the ${channel} of ${attemptSid}`);
  await recorded(sendJobs, attemptSid);
  return { vSid: v.sid, attemptSid, m };
}

const statusOf = (d: Record<string, unknown>) => [d.message_status ?? d.call_status, d.error_code];

onEachBackend(
  'HTTP gateway provider',
  async (t, server) => {
    sendJobs = server.stores.sendJobs;

    await t.test('sms: the documented body, signed; a signed receipt moves the attempt sent -> delivered; the code checks', async () => {
      const { acct, svc, api } = await setup(server);
      const to = '+15017122661';
      const { vSid, attemptSid, m } = await start(api, to, 'sms');
      const b = m.body;
      assert.deepEqual(
        [b.attempt_sid, b.verification_sid, b.service_sid, b.account_sid, b.channel, b.to, b.locale, b.friendly_name],
        [attemptSid, vSid, svc.sid, acct.sid, 'sms', to, 'en', 'Acme'],
      );
      assert.match(b.code, /^\d{6}$/);
      assert.deepEqual(b.message, { text: `Your Acme verification code is: ${b.code}`, subject: null, html: null });
      assert.deepEqual(b.template, { sid: null, substitutions: null });
      assert.equal(b.receipt_url, `${server.baseUrl}/callbacks/http/gateway`);
      assert.ok(Date.parse(b.expires_at as string) > Date.now());
      assert.equal(m.headers['content-type'], 'application/json');

      assert.deepEqual(statusOf(await attemptOf(acct, vSid)), ['sent', null]);
      assert.equal((await receiver.sendReceipt(m, 'delivered')).status, 204);
      assert.deepEqual(statusOf(await attemptOf(acct, vSid)), ['delivered', null]);
      assert.equal((await receiver.sendReceipt(m, 'sent')).status, 204);
      assert.deepEqual(statusOf(await attemptOf(acct, vSid)), ['delivered', null]);
      assert.equal((await api.verificationChecks.create({ to, code: b.code })).status, 'approved');
    });

    await t.test('email: subject, text and HTML; whatsapp; call with SendDigits and call receipts', async () => {
      const { acct, api } = await setup(server);
      const email = await start(api, 'user@example.com', 'email');
      assert.equal(email.m.body.channel, 'email');
      assert.ok(email.m.body.message.subject?.includes('Acme'), String(email.m.body.message.subject));
      assert.ok(email.m.body.message.html?.includes(email.m.body.code));
      assert.ok(email.m.body.message.text.includes(email.m.body.code));

      const wa = await start(api, '+34612345678', 'whatsapp', { locale: 'es' });
      assert.deepEqual([wa.m.body.channel, wa.m.body.locale], ['whatsapp', 'es']);
      await receiver.sendReceipt(wa.m, 'read');
      assert.deepEqual(statusOf(await attemptOf(acct, wa.vSid)), ['read', null]);

      const call = await start(api, '+14155552671', 'call', { sendDigits: 'ww1234#' });
      assert.equal(call.m.body.send_digits, 'ww1234#');
      assert.deepEqual(statusOf(await attemptOf(acct, call.vSid)), ['queued', null]);
      await receiver.sendReceipt(call.m, 'ringing');
      await receiver.sendReceipt(call.m, 'completed');
      assert.deepEqual(statusOf(await attemptOf(acct, call.vSid)), ['completed', null]);
    });

    await t.test('a failure receipt records its error_code', async () => {
      const { acct, api } = await setup(server);
      const { vSid, m } = await start(api, '+15017122662', 'sms');
      assert.equal((await receiver.sendReceipt(m, 'undelivered', { errorCode: 30003 })).status, 204);
      assert.deepEqual(statusOf(await attemptOf(acct, vSid)), ['undelivered', '30003']);
    });

    await t.test('a receipt not signed with the secret, altered, or stale is refused (403) and changes nothing; a signed one in another shape is a 400', async () => {
      const { acct, api } = await setup(server);
      const { vSid, m } = await start(api, '+15017122663', 'sms');
      const signedOther = JSON.stringify({ message_id: m.messageId, status: 'failed' });
      const forged = [
        { secret: null }, // no signature header
        { secret: 'another-secret-0123456789abcdef' },
        { timestamp: Math.floor(Date.now() / 1000) - 301 }, // replayed after the window
      ];
      for (const opts of forged) {
        const res = await receiver.sendReceipt(m, 'delivered', opts);
        assert.equal(res.status, 403, JSON.stringify(opts));
        assert.deepEqual(await res.json(), { code: 20403, message: 'Invalid receipt signature', more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 });
      }
      // Signed over one body, sent with another.
      const timestamp = String(Math.floor(Date.now() / 1000));
      const res = await fetch(m.body.receipt_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-verifyd-timestamp': timestamp, 'x-verifyd-signature': createHmac('sha256', SECRET).update(`${timestamp}.${signedOther}`).digest('hex') },
        body: JSON.stringify({ message_id: m.messageId, status: 'delivered' }),
      });
      assert.equal(res.status, 403);
      assert.deepEqual(statusOf(await attemptOf(acct, vSid)), ['sent', null]);

      for (const body of ['not json', JSON.stringify({ message_id: m.messageId, status: 'lost' }), JSON.stringify({ status: 'delivered' }), JSON.stringify({ message_id: m.messageId, status: 'failed', error_code: 'x' })]) {
        const bad = await receiver.sendReceipt(m, 'delivered', { body });
        assert.equal(bad.status, 400, body);
        assert.equal(((await bad.json()) as { code: number }).code, 400);
      }
      assert.deepEqual(statusOf(await attemptOf(acct, vSid)), ['sent', null]);
      const unknown = await fetch(`${server.baseUrl}/callbacks/http/nope`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(unknown.status, 404);
    });

    await t.test('a refusal (4xx) fails the attempt with the answer\'s error_code, else 30008; the start is still 201', async () => {
      receiver.refuseDestination('+15017122664', 422, 21211);
      receiver.refuseDestination('+15017122665', 400);
      const { acct, api } = await setup(server);
      for (const [to, code] of [['+15017122664', '21211'], ['+15017122665', '30008']]) {
        const v = await api.verifications.create({ to: to as string, channel: 'sms' });
        assert.equal(v.status, 'pending');
        await recorded(sendJobs, v.sendCodeAttempts[0]?.attempt_sid as string);
        assert.deepEqual(statusOf(await attemptOf(acct, v.sid)), ['failed', code]);
      }
    });

    await t.test('the gateway down (503 on every try) is retried, then the attempt fails with 30008; one 429 is retried and sent', async () => {
      const { acct, api } = await setup(server);
      receiver.failNext(503, 3);
      const v = await api.verifications.create({ to: '+15017122666', channel: 'sms' });
      await recorded(sendJobs, v.sendCodeAttempts[0]?.attempt_sid as string);
      assert.deepEqual(statusOf(await attemptOf(acct, v.sid)), ['failed', '30008']);
      assert.equal(receiver.received.filter((r) => r.body.to === '+15017122666').length, 0);

      receiver.failNext(429);
      const again = await start(api, '+15017122667', 'sms');
      assert.deepEqual(statusOf(await attemptOf(acct, again.vSid)), ['sent', null]);
    });

    assert.deepEqual(receiver.rejected, [], 'every request verifyd made was signed right');
  },
  { env: { VERIFYD_CONFIG: config, SEND_DISPATCHER: 'on' } },
);

test('direct: a gateway that hangs past timeout_ms, redirects or is not listening is thrown (retryable), never with the code in the message', async () => {
  const clock = { now: () => new Date() };
  const gateway = (url: string) => new HttpGatewayProvider('gw', httpGatewaySettings().parse({ url, secret: SECRET, timeout_ms: 200 }), clock, () => 'http://verifyd.test');
  const req = sendRequest();
  const noCode = (e: Error) => e instanceof GatewayUnavailable && !e.message.includes(req.code);
  receiver.failNext('hang');
  await assert.rejects(gateway(receiver.url).send(req, render(req)), (e: Error) => noCode(e) && /timed out after 200 ms/.test(e.message));
  receiver.failNext(302);
  await assert.rejects(gateway(receiver.url).send(req, render(req)), noCode);
  await assert.rejects(gateway('http://127.0.0.1:9/send').send(req, render(req)), noCode);
  // And when it answers, the answer is the outcome.
  const sent = await gateway(receiver.url).send(req, render(req));
  assert.equal(sent.status, 'sent');
  assert.match(String(sent.providerMessageId), /^gw-/);
});
