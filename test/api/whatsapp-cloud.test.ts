/**
 * WhatsApp through Meta's Cloud API end to end: verifyd started with a VERIFYD_CONFIG file routing
 * whatsapp to a `whatsapp_cloud` provider whose API is a local stand-in (test/support/whatsapp-cloud.ts)
 * that checks what Meta requires and posts signed status webhooks. Starts and reads go through the
 * official SDK; each test waits for the stand-in to receive the message and for verifyd to record
 * Meta's answer, not for the 201. Both backends.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { onEachBackend, setup, type Account, type ServiceApi, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';
import { attemptOf, tempConfigFile } from '../support/provider-tests.js';
import { WhatsappCloudStandIn, type WhatsappMessage } from '../support/whatsapp-cloud.js';

const PHONE_NUMBER_ID = '106540352242922';
const ACCESS_TOKEN = 'EAAJB-test-access-token';
const APP_SECRET = 'meta-app-secret';
const VERIFY_TOKEN = 'subscribe-me';

const meta = await WhatsappCloudStandIn.start({
  version: 'v21.0',
  phoneNumberId: PHONE_NUMBER_ID,
  accessToken: ACCESS_TOKEN,
  appSecret: APP_SECRET,
  templates: { verification_code: ['en_US', 'es', 'pt_BR'] },
});
after(() => meta.close());

const configFile = tempConfigFile(
  `providers:
  - name: meta
    type: whatsapp_cloud
    phone_number_id: "${PHONE_NUMBER_ID}"
    access_token: ${ACCESS_TOKEN}
    app_secret: ${APP_SECRET}
    verify_token: ${VERIFY_TOKEN}
    template_name: verification_code
    api_base_url: ${meta.url}
    api_version: v21.0
routes:
  whatsapp: [meta]
`,
);

/** Starts a WhatsApp verification and waits until Meta has the message and verifyd recorded its answer. */
async function start(server: TestServer, acct: Account, api: ServiceApi, to: string, opts: Record<string, unknown> = {}): Promise<{ vSid: string; message: WhatsappMessage }> {
  const v = await api.verifications.create({ to, channel: 'whatsapp', ...opts });
  assert.equal(v.status, 'pending');
  const message = await meta.waitFor((m) => m.to === to.slice(1) && !seen.has(m.wamid), `Meta to receive a message to ${to}`);
  seen.add(message.wamid);
  await until(() => server.stores.sendJobs.sendJobStatus(v.sendCodeAttempts[0]?.attempt_sid as string), (j) => j?.state !== 'pending', "Meta's answer recorded");
  return { vSid: v.sid, message };
}
const seen = new Set<string>();

onEachBackend(
  'WhatsApp Cloud API provider',
  async (t, server) => {
    const webhook = `${server.baseUrl}/callbacks/whatsapp-cloud/meta`;

    await t.test('a start goes out as the authentication template: the code in the body and the copy-code button; statuses move the attempt', async () => {
      const { acct, api } = await setup(server);
      const { vSid, message } = await start(server, acct, api, '+14155552671');
      assert.equal(message.template, 'verification_code');
      assert.equal(message.language, 'en_US');
      assert.match(message.code, /^\d{6}$/);
      assert.deepEqual(message.body.template, {
        name: 'verification_code',
        language: { code: 'en_US' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: message.code }] },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: message.code }] },
        ],
      });
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      for (const status of ['sent', 'delivered', 'read']) {
        const res = await meta.sendStatus(webhook, message.wamid, status);
        assert.equal(res.status, 200);
        assert.equal((await attemptOf(acct, vSid)).message_status, status);
      }
      // A late receipt never moves it back.
      await meta.sendStatus(webhook, message.wamid, 'delivered');
      assert.equal((await attemptOf(acct, vSid)).message_status, 'read');
      const check = await api.verificationChecks.create({ to: '+14155552671', code: message.code });
      assert.equal(check.status, 'approved');
    });

    await t.test("the verification's locale picks the template language (pt-BR -> pt_BR, es -> es)", async () => {
      const { acct, api } = await setup(server);
      assert.equal((await start(server, acct, api, '+5511987654321', { locale: 'pt-BR' })).message.language, 'pt_BR');
      assert.equal((await start(server, acct, api, '+34612345678')).message.language, 'es');
    });

    await t.test('a webhook without the app secret signature is refused (403) and changes nothing', async () => {
      const { acct, api } = await setup(server);
      const { vSid, message } = await start(server, acct, api, '+14155552672');
      const signedOther = await meta.sendStatus(webhook, message.wamid, 'sent', { raw: '{"entry":[]}' });
      assert.equal(signedOther.status, 200, 'the stand-in signs what it sends');
      const forged = [
        { signature: null }, // none
        { signature: 'sha256=' + '0'.repeat(64) },
        { signature: 'sha1=abc' },
        { secret: 'another-app-secret' },
      ];
      for (const f of forged) {
        const res = await meta.sendStatus(webhook, message.wamid, 'delivered', f);
        assert.equal(res.status, 403, JSON.stringify(f));
        assert.deepEqual(await res.json(), { code: 20403, message: 'Invalid X-Hub-Signature-256', more_info: 'https://www.twilio.com/docs/errors/20403', status: 403 });
      }
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      // Signed over one body, sent with another.
      const body = JSON.stringify({ entry: [{ changes: [{ field: 'messages', value: { statuses: [{ id: message.wamid, status: 'delivered' }] } }] }] });
      const tampered = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'ab'.repeat(32)}` }, body });
      assert.equal(tampered.status, 403);
      assert.equal((await attemptOf(acct, vSid)).message_status, 'queued');
      const unknown = await meta.sendStatus(`${server.baseUrl}/callbacks/whatsapp-cloud/nope`, message.wamid, 'delivered');
      assert.equal(unknown.status, 404);
    });

    await t.test("the subscription handshake echoes the challenge for the provider's verify token only", async () => {
      const ok = await fetch(`${webhook}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), '1158201444');
      for (const q of ['hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1', 'hub.mode=unsubscribe&hub.verify_token=' + VERIFY_TOKEN + '&hub.challenge=1', 'hub.challenge=1']) {
        const res = await fetch(`${webhook}?${q}`);
        assert.equal(res.status, 403, q);
      }
    });

    await t.test('a refusal (131026, undeliverable) fails the attempt with 63024; the start is 201', async () => {
      meta.refuseRecipient('14155552679', 131026);
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: '+14155552679', channel: 'whatsapp' });
      assert.equal(v.status, 'pending');
      const data = await until(() => attemptOf(acct, v.sid), (d) => d.message_status !== 'queued', 'the refusal recorded');
      assert.deepEqual([data.message_status, data.error_code], ['failed', '63024']);
    });

    await t.test('throttling (130429) is tried again; a failed status records its error as the Twilio code', async () => {
      meta.failNext(400, 130429);
      const { acct, api } = await setup(server);
      const { vSid, message } = await start(server, acct, api, '+14155552673');
      assert.ok(meta.refusals.includes(130429));
      await meta.sendStatus(webhook, message.wamid, 'failed', { errorCode: 131026 });
      const data = await attemptOf(acct, vSid);
      assert.deepEqual([data.message_status, data.error_code], ['failed', '63024']);
    });
  },
  { configFile },
);
