/**
 * The send queue with a provider that talks HTTP to a real local server (a Receiver), so a
 * provider that is down or hangs is a real fault: the start answers 201 with the attempt `queued`
 * and never waits; the dispatcher sends, retries with backoff, records `sent` with the provider's
 * message id (which receipts then move forward only), gives up as `failed`, drops the job of a
 * verification that no longer waits (`canceled`), and keeps a custom code sealed only until its
 * job ends. Both backends.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { REFUSED_HOST } from '../support/local-http.js';
import { HttpProvider, type SentMessage } from '../support/http-provider.js';
import { Receiver } from '../support/receiver.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const US = '+15017122661';

const receiver = await Receiver.start();
// Nothing listens there: every request is refused, as by a provider that is down.
const downOrigin = `http://${REFUSED_HOST}`;
after(() => receiver.close());

const stubborn = new HttpProvider('stubborn', ['whatsapp'], receiver.origin, false, true);
const PROVIDERS = {
  providers: [new HttpProvider('http', ['sms'], receiver.origin), new HttpProvider('down', ['call'], downOrigin), stubborn],
  routes: { sms: { default: ['http'] }, call: { default: ['down'] }, whatsapp: { default: ['stubborn'] } },
};

/** The messages the receiver was sent for one attempt, one per provider request. */
const sentFor = (vl: string): SentMessage[] =>
  receiver.requests.filter((r) => r.url === '/messages').map((r) => JSON.parse(r.body) as SentMessage).filter((m) => m.attemptSid === vl);

async function attempt(server: TestServer, acct: Account, vl: string): Promise<Record<string, unknown>> {
  const res = await server.fetch(`/v2/Attempts/${vl}`, { auth: { user: acct.sid, pass: acct.authToken } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { channel_data: Record<string, unknown> }).channel_data;
}

/** Polls the attempt until its message_status (or call_status) is `status`. */
async function attemptReaches(server: TestServer, acct: Account, vl: string, status: string): Promise<Record<string, unknown>> {
  let data: Record<string, unknown> = {};
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    data = await attempt(server, acct, vl);
    if ((data.message_status ?? data.call_status) === status) return data;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`attempt ${vl} never reached ${status}: ${JSON.stringify(data)}`);
}

onEachBackend(
  'the send queue',
  async (t, server) => {
    await t.test('provider down: the start is 201 at once with the attempt queued; retried, then failed with 30008', async () => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: US, channel: 'call' });
      assert.equal(v.status, 'pending');
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      const data = await attemptReaches(server, acct, vl, 'failed');
      assert.equal(data.error_code, '30008');
      const job = await server.stores.sendJobs.sendJobStatus(vl);
      assert.equal(job?.state, 'failed');
      assert.equal(job?.attempts, 3, 'SEND_MAX_ATTEMPTS tries');
      assert.match(job?.lastError ?? '', /fetch failed|ECONNREFUSED/);
    });

    await t.test('the Attempts list and summary see the queued attempt and its later status', async () => {
      const { acct, svc, api } = await setup(server);
      await server.sendDispatcher!.stop();
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      const listed = async () => {
        const res = await server.fetch(`/v2/Attempts?VerificationSid=${v.sid}`, { auth: { user: acct.sid, pass: acct.authToken } });
        return ((await res.json()) as { attempts: Array<{ sid: string; channel_data: { message_status: string } }> }).attempts;
      };
      assert.deepEqual((await listed()).map((a) => [a.sid, a.channel_data.message_status]), [[vl, 'queued']]);
      assert.equal(sentFor(vl).length, 0, 'nothing sent while no dispatcher runs');
      server.sendDispatcher!.start();
      await attemptReaches(server, acct, vl, 'sent');
      assert.deepEqual((await listed()).map((a) => [a.sid, a.channel_data.message_status]), [[vl, 'sent']]);
      const res = await server.fetch(`/v2/Attempts/Summary?ServiceSid=${svc.sid}`, { auth: { user: acct.sid, pass: acct.authToken } });
      assert.equal(((await res.json()) as { total_attempts: number }).total_attempts, 1);
    });

    await t.test('a provider that hangs is cut off at SEND_TIMEOUT_MS and tried again; sent once it answers', async () => {
      const { acct, api } = await setup(server);
      receiver.answer('hang', 1);
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      await attemptReaches(server, acct, vl, 'sent');
      const sent = sentFor(vl);
      assert.equal(sent.length, 2, 'the hung request, then the retry');
      assert.equal(sent[0]?.code, sent[1]?.code);
      assert.match(sent[1]?.body ?? '', new RegExp(sent[1]!.code));
      const job = await server.stores.sendJobs.sendJobStatus(vl);
      assert.equal(job?.state, 'sent');
      assert.match(job?.lastError ?? '', /did not answer within 300 ms/);
    });

    await t.test('a provider that cannot call its send off past SEND_TIMEOUT_MS is waited for: its late answer is recorded, nothing is sent twice', async () => {
      const { acct, api } = await setup(server);
      receiver.answer('hang', 1);
      const v = await api.verifications.create({ to: US, channel: 'whatsapp' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      // The deadline passed (the provider saw its signal fire) with the message still under way...
      for (const deadline = Date.now() + 10_000; !stubborn.aborted.includes(vl) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
      assert.ok(stubborn.aborted.includes(vl), 'the send was called off at the deadline');
      // ...then the carrier answers it.
      receiver.answerHung(200);
      await attemptReaches(server, acct, vl, 'sent');
      assert.equal(sentFor(vl).length, 1, 'one provider request: the answer came, so no retry');
      const job = await server.stores.sendJobs.sendJobStatus(vl);
      assert.equal(job?.state, 'sent');
      assert.equal(job?.attempts, 1);
    });

    await t.test("receipts move the attempt forward only, found by the provider's message id", async () => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      await attemptReaches(server, acct, vl, 'sent');
      const attempts = server.stores.attempts;
      assert.equal(await attempts.updateDeliveryStatus('http', `msg-${vl}`, 'delivered', null, Date.now()), true);
      assert.equal(await attempts.updateDeliveryStatus('http', `msg-${vl}`, 'sent', null, Date.now()), false, 'a late sent');
      assert.equal(await attempts.updateDeliveryStatus('http', `msg-${vl}`, 'undelivered', 30003, Date.now()), false, 'a second final status');
      assert.equal(await attempts.updateDeliveryStatus('down', `msg-${vl}`, 'read', null, Date.now()), false, "another provider's id");
      const data = await attempt(server, acct, vl);
      assert.equal(data.message_status, 'delivered');
      assert.equal(data.error_code, null);
    });

    await t.test('a job whose verification was canceled before it was sent is dropped: the attempt says canceled, nothing is sent', async () => {
      const { acct, api } = await setup(server);
      await server.sendDispatcher!.stop();
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      await api.verifications(v.sid).update({ status: 'canceled' });
      server.sendDispatcher!.start();
      await attemptReaches(server, acct, vl, 'canceled');
      assert.equal(sentFor(vl).length, 0);
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.state, 'dropped');
    });

    await t.test('a custom code is stored sealed while its job waits, and wiped when it ends', async () => {
      const { acct, api } = await setup(server, { customCodeEnabled: true });
      await server.sendDispatcher!.stop();
      const code = '40713952';
      const v = await api.verifications.create({ to: US, channel: 'sms', customCode: code });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.sealed, true);
      server.sendDispatcher!.start();
      await attemptReaches(server, acct, vl, 'sent');
      assert.deepEqual(sentFor(vl).map((m) => m.code), [code]);
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.sealed, false);
      assert.equal((await api.verificationChecks.create({ to: US, code })).status, 'approved');
    });
  },
  { providers: PROVIDERS, sends: { timeoutMs: 300 } },
);
