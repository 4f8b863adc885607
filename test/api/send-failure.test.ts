/**
 * The seam between a start and the providers that carry its code: routes by channel, the
 * structured request and the rendering a provider gets, and a provider that throws or reports a
 * failure (201 all the same with the attempt `queued`; the send queue retries a throw, then the
 * attempt says failed and the log says why without the code). Test-only providers stand in for
 * carriers. Both backends.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Provider } from '../../src/channels/provider.js';
import type { Rendering } from '../../src/channels/render/index.js';
import type { CodeChannel, SendOutcome, SendRequest } from '../../src/domain/verification/sending.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';
import { seedTemplate } from '../support/templates.js';

const US = '+15017122661';
const EMAIL = 'ann@example.com';

/** A carrier that keeps what it was handed and answers with `reply` (a throw when it is an Error). */
class StandInCarrier implements Provider {
  readonly sent: Array<{ request: SendRequest; rendering: Rendering }> = [];
  constructor(
    readonly name: string,
    readonly channels: readonly CodeChannel[],
    private readonly reply: (request: SendRequest) => SendOutcome | Error,
  ) {}

  async send(request: SendRequest, rendering: Rendering): Promise<SendOutcome> {
    this.sent.push({ request, rendering });
    const r = this.reply(request);
    if (r instanceof Error) throw r;
    return r;
  }

  for(attemptSid: string) {
    const found = this.sent.find((s) => s.request.attemptSid === attemptSid);
    assert.ok(found, `${this.name} was handed attempt ${attemptSid}`);
    return found;
  }
}

// The error repeats the code, as a carrier echoing the message body might: the log must not.
const broken = new StandInCarrier('broken', ['sms'], (r) => new Error(`carrier refused "Your code is ${r.code}"`));
const refusing = new StandInCarrier('refusing', ['call'], () => ({ status: 'undelivered', errorCode: 30003 }));
// A mailbox that does not exist fails without saying why.
const mailer = new StandInCarrier('mailer', ['email'], (r) => (r.to.startsWith('nobody@') ? { status: 'failed' } : { status: 'sent', providerMessageId: 'm-1' }));

const lines: string[] = [];
const logStream = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

const PROVIDERS = {
  providers: [broken, refusing, mailer],
  // whatsapp keeps the default route, to the inbox.
  routes: { sms: { default: ['broken'] }, call: { default: ['refusing'] }, email: { default: ['mailer'] } },
};

async function attemptData(server: TestServer, acct: Account, vl: string): Promise<Record<string, unknown>> {
  const res = await server.fetch(`/v2/Attempts/${vl}`, { auth: { user: acct.sid, pass: acct.authToken } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { channel_data: Record<string, unknown> }).channel_data;
}

/** The attempt's channel_data once the send queue has settled it (its status is no longer `queued`). */
async function settledData(server: TestServer, acct: Account, vl: string): Promise<Record<string, unknown>> {
  for (const deadline = Date.now() + 10_000; ; ) {
    const data = await attemptData(server, acct, vl);
    if ((data.message_status ?? data.call_status) !== 'queued') return data;
    if (Date.now() > deadline) assert.fail(`attempt ${vl} still queued`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

onEachBackend(
  'sending codes through providers',
  async (t, server) => {
    await t.test('a provider that throws: 201 with the attempt queued, tried SEND_MAX_ATTEMPTS times, then failed with 30008; the code still checks', async () => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      assert.equal(v.status, 'pending');
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      const data = await settledData(server, acct, vl);
      assert.equal(data.message_status, 'failed');
      assert.equal(data.error_code, '30008');
      assert.equal(broken.sent.filter((s) => s.request.attemptSid === vl).length, 3, 'three tries (SEND_MAX_ATTEMPTS in the tests)');
      const job = await server.stores.sendJobs.sendJobStatus(vl);
      assert.deepEqual({ ...job, lastError: undefined }, { state: 'failed', attempts: 3, lastError: undefined, sealed: false });
      assert.match(job!.lastError!, /carrier refused "Your code is \[code\]"/);

      const { code } = broken.for(vl).request;
      const check = await api.verificationChecks.create({ to: US, code });
      assert.equal(check.status, 'approved');
    });

    await t.test('the failure is logged with the attempt and the error, never the code', async () => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: US, channel: 'sms' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      await settledData(server, acct, vl);
      const { code } = broken.for(vl).request;
      const line = lines.find((l) => l.includes(vl));
      assert.ok(line, 'a log line names the attempt');
      const entry = JSON.parse(line) as { level: number; msg: string; channel: string; err: { message: string } };
      assert.equal(entry.msg, 'sending a code failed');
      assert.equal(entry.level, 50);
      assert.equal(entry.channel, 'sms');
      assert.equal(entry.err.message, 'carrier refused "Your code is [code]"');
      assert.ok(!lines.join('\n').includes(code), 'the code is not in the log');
    });

    await t.test('a resend after a failed send sends the same code again', async () => {
      const { acct, api } = await setup(server);
      const first = await api.verifications.create({ to: US, channel: 'sms' });
      const again = await api.verifications.create({ to: US, channel: 'sms' });
      assert.equal(again.sid, first.sid);
      assert.equal(again.sendCodeAttempts.length, 2);
      for (const s of again.sendCodeAttempts) await settledData(server, acct, s.attempt_sid as string);
      const [a, b] = again.sendCodeAttempts.map((s) => broken.for(s.attempt_sid as string).request.code);
      assert.equal(a, b);
    });

    await t.test('a reported failure is recorded as reported and not retried; one without a code gets 30008', async () => {
      const { acct, api } = await setup(server);
      const call = await api.verifications.create({ to: US, channel: 'call' });
      const callVl = call.sendCodeAttempts[0]?.attempt_sid as string;
      const callData = await settledData(server, acct, callVl);
      // A call has no `undelivered` in the spec's call_status enum: it is `failed` there.
      assert.equal(callData.call_status, 'failed');
      assert.equal(callData.error_code, '30003');
      assert.equal(refusing.sent.filter((s) => s.request.attemptSid === callVl).length, 1);

      const mail = await api.verifications.create({ to: 'nobody@example.com', channel: 'email' });
      const vl = mail.sendCodeAttempts[0]?.attempt_sid as string;
      const mailData = await settledData(server, acct, vl);
      assert.equal(mailData.message_status, 'failed');
      assert.equal(mailData.error_code, '30008');
      assert.ok(!lines.some((l) => l.includes(vl)), 'a reported failure is an outcome, not an error to log');
    });

    await t.test('a provider gets the structured request with the start options, and verifyd rendering', async () => {
      const { acct, svc, api } = await setup(server);
      const template = (await seedTemplate(server.stores, acct.sid)).sid;
      const v = await api.verifications.create({
        to: EMAIL,
        channel: 'email',
        locale: 'fr',
        templateSid: template,
        templateCustomSubstitutions: JSON.stringify({ plan: 'gold' }),
        channelConfiguration: { from: 'noreply@example.com', from_name: 'Acme' },
      });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      assert.equal((await settledData(server, acct, vl)).message_status, 'sent');
      const { request, rendering } = mailer.for(vl);
      assert.deepEqual(
        { ...request, code: undefined },
        {
          accountSid: acct.sid,
          serviceSid: svc.sid,
          verificationSid: v.sid,
          attemptSid: vl,
          channel: 'email',
          to: EMAIL,
          country: null,
          locale: 'fr',
          code: undefined,
          friendlyName: 'Acme',
          doNotShareWarning: false,
          appHash: null,
          amount: null,
          payee: null,
          sendDigits: null,
          templateSid: template,
          templateText: null,
          templateSubstitutions: { plan: 'gold' },
          channelConfiguration: { from: 'noreply@example.com', from_name: 'Acme' },
          whatsapp: { from: null, msgServiceSid: null },
          ttsName: null,
          dtmfInputRequired: false,
          expiresAt: request.expiresAt,
          ttlMinutes: 10,
        },
      );
      // The verification's expiry: ten minutes after its creation (which the API gives to the second).
      const sinceCreated = request.expiresAt - 600_000 - v.dateCreated.getTime();
      assert.ok(sinceCreated >= 0 && sinceCreated < 1000, String(sinceCreated));
      assert.match(request.code, /^\d{6}$/);
      assert.ok(rendering.subject, 'an email rendering has a subject');
      assert.ok(rendering.body.includes(request.code));
    });

    await t.test('a channel without a route of its own keeps the default one, the inbox, written with the start', async () => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: US, channel: 'whatsapp' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      assert.equal((await attemptData(server, acct, vl)).message_status, 'delivered');
      assert.equal(await server.stores.sendJobs.sendJobStatus(vl), undefined, 'no job: the inbox is not queued');
      const res = await server.fetch(`/inbox/messages?To=${encodeURIComponent(US)}`, { auth: { user: acct.sid, pass: acct.authToken } });
      const messages = ((await res.json()) as { messages: Array<{ channel: string; verification_sid: string }> }).messages;
      assert.deepEqual(
        messages.map((m) => [m.channel, m.verification_sid]),
        [['whatsapp', v.sid]],
      );
    });
  },
  { providers: PROVIDERS, logStream },
);
