/**
 * E-mail through SendGrid's v3 Mail Send end to end: verifyd started with a VERIFYD_CONFIG file
 * routing email to a `sendgrid` provider whose API is a local stand-in (test/support/sendgrid.ts)
 * that checks what SendGrid requires and posts Event Webhook batches signed with a key pair made
 * for the run. Starts and reads go through the official SDK; each test waits for the stand-in to
 * receive the mail and for verifyd to record SendGrid's answer. Both backends.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, test } from 'node:test';
import { CarrierUnavailable } from '../../src/channels/http-json.js';
import { render } from '../../src/channels/render/index.js';
import { SendgridProvider } from '../../src/channels/sendgrid/provider.js';
import { sendgridSettings } from '../../src/channels/sendgrid/settings.js';
import { SendgridStandIn, type SentMail } from '../support/sendgrid.js';
import { sendRequest } from '../support/send-request.js';
import { onEachBackend, setup, type ServiceApi, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { attemptOf, tempConfigFile } from '../support/provider-tests.js';

const API_KEY = 'SG.test-key.secret';
const TEMPLATE = `d-${'4f1e'.repeat(8)}`;
const sendgrid = await SendgridStandIn.start(API_KEY, ['no-reply@example.com', 'security@example.org']);
after(() => sendgrid.close());

const configFile = tempConfigFile(
  `providers:
  - name: sg
    type: sendgrid
    api_key: ${API_KEY}
    from: no-reply@example.com
    from_name: Example
    api_base_url: ${sendgrid.url}
    event_webhook_public_key: ${sendgrid.publicKey}
  - name: sg-unsigned
    type: sendgrid
    api_key: ${API_KEY}
    from: no-reply@example.com
    api_base_url: ${sendgrid.url}
routes:
  email: [sg]
`,
);

/** Starts an e-mail verification and waits until SendGrid has the mail and verifyd recorded its answer. */
async function start(server: TestServer, api: ServiceApi, to: string, opts: Record<string, unknown> = {}): Promise<{ vSid: string; attemptSid: string; mail: SentMail }> {
  const v = await api.verifications.create({ to, channel: 'email', ...opts });
  assert.equal(v.status, 'pending');
  const attemptSid = v.sendCodeAttempts[0]?.attempt_sid as string;
  const mail = await sendgrid.waitFor((m) => (m.body.custom_args as Record<string, string>)?.verifyd_attempt_sid === attemptSid, `SendGrid to receive the mail to ${to}`);
  await until(() => server.stores.sendJobs.sendJobStatus(attemptSid), (j) => j?.state !== 'pending', "SendGrid's answer recorded");
  return { vSid: v.sid, attemptSid, mail };
}

onEachBackend(
  'SendGrid provider',
  async (t, server) => {
    const webhook = `${server.baseUrl}/callbacks/sendgrid/sg`;

    await t.test("ChannelConfiguration template_id and substitutions reach SendGrid as template_id and dynamic_template_data, with Twilio's variables", async () => {
      const { acct, api } = await setup(server);
      const { vSid, attemptSid, mail } = await start(server, api, 'ann@example.com', {
        locale: 'fr',
        // A substitution cannot replace the code.
        channelConfiguration: { template_id: TEMPLATE, substitutions: { username: 'Ann', plan: { tier: 'gold' }, twilio_code: '000000' } },
      });
      const b = mail.body;
      assert.equal(b.template_id, TEMPLATE);
      assert.equal(b.subject, undefined);
      assert.equal(b.content, undefined);
      assert.deepEqual(b.from, { email: 'no-reply@example.com', name: 'Example' });
      assert.deepEqual(b.custom_args, { verifyd_attempt_sid: attemptSid });
      const [p, ...more] = b.personalizations as Array<{ to: unknown; dynamic_template_data: Record<string, unknown> }>;
      assert.equal(more.length, 0);
      assert.deepEqual(p?.to, [{ email: 'ann@example.com' }]);
      const data = p?.dynamic_template_data ?? {};
      const code = String(data.twilio_code);
      assert.match(code, /^\d{6}$/);
      assert.deepEqual(data, {
        username: 'Ann',
        plan: { tier: 'gold' },
        twilio_code: code,
        twilio_message: `Votre code de vérification Acme est : ${code}`,
        twilio_message_without_code: 'Votre code de vérification Acme est',
        twilio_service_name: 'Acme',
      });
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      const check = await api.verificationChecks.create({ to: 'ann@example.com', code });
      assert.equal(check.status, 'approved');
    });

    await t.test("without a template: verifyd's localized subject, text then HTML; ChannelConfiguration from and from_name win", async () => {
      const { api } = await setup(server);
      const { mail } = await start(server, api, 'ana@example.com', { locale: 'es', channelConfiguration: { from: 'security@example.org', from_name: 'Seguridad' } });
      const b = mail.body;
      assert.equal(b.template_id, undefined);
      assert.deepEqual(b.from, { email: 'security@example.org', name: 'Seguridad' });
      assert.equal(b.subject, 'Tu código de verificación de Acme');
      const [text, html] = b.content as Array<{ type: string; value: string }>;
      assert.equal(text?.type, 'text/plain');
      assert.match(text?.value ?? '', /^Tu código de verificación de Acme es: \d{6}\n\n/);
      assert.equal(html?.type, 'text/html');
      assert.match(html?.value ?? '', /<html lang="es" dir="ltr">/);
    });

    await t.test('signed Event Webhook batches move the attempt: processed -> sent, delivered; later events never move it back', async () => {
      const { acct, api } = await setup(server);
      const { vSid, mail } = await start(server, api, 'bob@example.com');
      assert.equal((await sendgrid.sendEvents(webhook, mail, [{ event: 'processed' }])).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'sent');
      // A deferral moves nothing; an open is engagement, not delivery.
      await sendgrid.sendEvents(webhook, mail, [{ event: 'deferred', response: '400 try again later', attempt: '1' }, { event: 'delivered', response: '250 OK' }, { event: 'open' }]);
      const data = await attemptOf(acct, vSid);
      assert.deepEqual([data.message_status, data.error_code], ['delivered', null]);
      await sendgrid.sendEvents(webhook, mail, [{ event: 'processed' }]);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'delivered');
    });

    await t.test('bounce is undelivered, dropped is failed (30008)', async () => {
      const { acct, api } = await setup(server);
      const bounced = await start(server, api, 'gone@example.com');
      await sendgrid.sendEvents(webhook, bounced.mail, [{ event: 'processed' }, { event: 'bounce', type: 'bounce', status: '5.1.1', reason: '550 5.1.1 no such user' }]);
      assert.deepEqual(Object.values(pick(await attemptOf(acct, bounced.vSid))), ['undelivered', '30008']);
      const dropped = await start(server, api, 'dropped@example.com');
      await sendgrid.sendEvents(webhook, dropped.mail, [{ event: 'dropped', reason: 'Bounced Address' }]);
      assert.deepEqual(Object.values(pick(await attemptOf(acct, dropped.vSid))), ['failed', '30008']);
    });

    await t.test('a batch without a valid signature is refused (403) and changes nothing', async () => {
      const { acct, api } = await setup(server);
      const { vSid, mail } = await start(server, api, 'carol@example.com');
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const body = JSON.stringify([{ event: 'delivered', sg_message_id: `${mail.messageId}.filter0001`, email: mail.to }]);
      const forged = [
        null, // no headers
        'bm90IGEgc2lnbmF0dXJl',
        // Signed by another key.
        sign('sha256', Buffer.from(`${Math.floor(Date.now() / 1000)}${body}`), other.privateKey).toString('base64'),
      ];
      for (const signature of forged) {
        const res = await sendgrid.sendEvents(webhook, mail, [], { signature, raw: body });
        assert.equal(res.status, 403);
        assert.deepEqual(await res.json(), { code: 20403, message: 'Invalid X-Twilio-Email-Event-Webhook-Signature', more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 });
      }
      // SendGrid's signature, over another body than the one sent.
      const tampered = await sendgrid.sendEvents(webhook, mail, [{ event: 'bounce' }], { sentBody: body });
      assert.equal(tampered.status, 403);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      assert.equal((await sendgrid.sendEvents(`${server.baseUrl}/callbacks/sendgrid/nope`, mail, [{ event: 'delivered' }])).status, 404);
      // A provider without the verification key takes no events, signed or not.
      assert.equal((await sendgrid.sendEvents(`${server.baseUrl}/callbacks/sendgrid/sg-unsigned`, mail, [{ event: 'delivered' }])).status, 403);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      assert.equal((await sendgrid.sendEvents(webhook, mail, [{ event: 'delivered' }])).status, 204);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'delivered');
    });

    await t.test('a refusal (a sender SendGrid has not verified: 403) fails the attempt with 20003; the start is 201', async () => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: 'dan@example.com', channel: 'email', channelConfiguration: { from: 'someone@elsewhere.example' } });
      assert.equal(v.status, 'pending');
      const data = await until(() => attemptOf(acct, v.sid), (d) => d.message_status !== 'queued', 'the refusal recorded');
      assert.deepEqual([data.message_status, data.error_code], ['failed', '20003']);
    });

    await t.test('429 is tried again', async () => {
      sendgrid.failNext(429);
      const { acct, api } = await setup(server);
      const { vSid } = await start(server, api, 'eve@example.com');
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
    });
  },
  { configFile },
);

const pick = (d: Record<string, unknown>) => ({ status: d.message_status, code: d.error_code });

const provider = (over: Record<string, unknown> = {}) =>
  new SendgridProvider('sg', sendgridSettings.parse({ api_key: API_KEY, from: 'no-reply@example.com', api_base_url: sendgrid.url, ...over }));

test("the provider's template_id serves starts that name none; a bad key is failed with 20003; 5xx and no answer are thrown", async () => {
  const req = sendRequest({ channel: 'email', to: 'fay@example.com', attemptSid: `VL${'7'.repeat(32)}` });
  const out = await provider({ template_id: TEMPLATE }).send(req, render(req));
  assert.equal(out.status, 'queued');
  const mail = await sendgrid.waitFor((m) => m.messageId === out.providerMessageId, 'the mail');
  assert.equal(mail.body.template_id, TEMPLATE);
  assert.equal((mail.body.personalizations as Array<{ dynamic_template_data: { twilio_code: string } }>)[0]?.dynamic_template_data.twilio_code, '482913');

  assert.deepEqual(await provider({ api_key: 'SG.wrong' }).send(req, render(req)), { status: 'failed', errorCode: 20003 });
  sendgrid.failNext(503);
  await assert.rejects(provider().send(req, render(req)), (e: Error) => e instanceof CarrierUnavailable && e.message.includes('503') && !e.message.includes('482913'));
  await assert.rejects(provider({ api_base_url: 'http://127.0.0.1:9' }).send(req, render(req)), CarrierUnavailable);
  // The send queue's deadline calls the request off: rejected (retryable), so the dispatcher never waits past it.
  const sent = sendgrid.mails.length;
  await assert.rejects(provider().send(req, render(req), AbortSignal.abort()), /cut off at the send deadline/);
  assert.equal(sendgrid.mails.length, sent);
  // A key that is not an ECDSA P-256 public key is a configuration problem, reported without its text.
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  for (const key of [rsa, 'not-a-key']) {
    const parsed = sendgridSettings.safeParse({ api_key: API_KEY, from: 'no-reply@example.com', event_webhook_public_key: key });
    assert.equal(parsed.success, false);
    assert.ok(!JSON.stringify(parsed.error?.issues).includes(key));
  }
});
