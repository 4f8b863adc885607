/**
 * Routing and failover through real sockets: Twilio providers against two REST stand-ins (A and
 * B), one whose port refuses connections, one that accepts TCP and never completes TLS (a carrier
 * that hangs before taking anything). Routes by the destination's country pick the providers:
 *
 *   sms default: primary (A), backup (B)     GB: backup, primary
 *   FR: down, backup     DE: silent, backup     ES: down, silent     IT: flaky, backup
 *
 * The proof that a hanging carrier costs only its connect timeout is observable, not timed: the
 * whole failover happens in one dispatcher run (the job counts one try, and its tries say the
 * silent provider was `unreachable`, which a send timeout would not say).
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { REFUSED_HOST, silentHost } from '../support/local-http.js';
import { CodeKeyring } from '../../src/domain/code/keys.js';
import { twilioProviderSchema } from '../../src/channels/twilio/config.js';
import { TwilioProvider } from '../../src/channels/twilio/provider.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';
import { TwilioRestStandIn } from '../support/twilio-rest.js';
import { until } from '../support/until.js';

const SID = `AC${'6f'.repeat(16)}`;
const TOKEN = 'failover-upstream-token';
const standInA = await TwilioRestStandIn.start({ [SID]: TOKEN });
const standInB = await TwilioRestStandIn.start({ [SID]: TOKEN });

const blackhole = await silentHost();
const silentUrl = `https://${blackhole.host}`;
const refusedUrl = `http://${REFUSED_HOST}`;
const flakyUrl = `http://${REFUSED_HOST}`;
after(async () => {
  await standInA.close();
  await standInB.close();
  blackhole.close();
});

let publicBase = '';
let codeKeys: CodeKeyring | undefined;
const twilio = (name: string, apiBaseUrl: string, from: string) =>
  new TwilioProvider(
    twilioProviderSchema.parse({ type: 'twilio', name, account_sid: SID, auth_token: TOKEN, api_base_url: apiBaseUrl, sms_from: from, connect_timeout_ms: 200 }),
    () => publicBase,
    () => codeKeys ?? assert.fail('no code keys'),
  );

const PROVIDERS = {
  providers: [
    twilio('primary', standInA.url, '+15005550006'),
    twilio('backup', standInB.url, '+15005550007'),
    twilio('down', refusedUrl, '+15005550008'),
    twilio('silent', silentUrl, '+15005550009'),
    twilio('flaky', flakyUrl, '+15005550010'),
  ],
  routes: {
    sms: {
      default: ['primary', 'backup'],
      countries: { GB: ['backup', 'primary'], FR: ['down', 'backup'], DE: ['silent', 'backup'], ES: ['down', 'silent'], IT: ['flaky', 'backup'] },
    },
  },
  // Each has its own price, so an attempt shows whose it is.
  prices: { currency: 'USD', byProvider: new Map<string, Record<string, string>>([['primary', { default: '0.0100' }], ['backup', { default: '0.0500' }]]) },
  // The circuit opens after two failures and stays open for the whole test.
  failover: { receiptTimeoutMs: 30_000, onReceiptTimeout: false, circuit: { failures: 2, coolDownMs: 3_600_000 } },
};

const US = '+15017122661';
const GB = '+447400123456';
const FR = '+33612345678';
const DE = '+4915123456789';
const ES = '+34612345678';
const IT = '+393123456789';

interface Try {
  provider: string;
  result: string;
  error_code: string | null;
}

async function channelData(acct: Account, vl: string): Promise<Record<string, unknown> & { tries: Try[] }> {
  const a = await acct.client.verify.v2.verificationAttempts(vl).fetch();
  return a.channelData as Record<string, unknown> & { tries: Try[] };
}

/**
 * Starts an sms verification; resolves with its one attempt's sid once a provider took the code
 * (or, `failed`, once its job gave up). A job may still wait for a receipt then.
 */
async function send(server: TestServer, to: string, outcome: 'sent' | 'failed' = 'sent', acct?: Account) {
  const { acct: a, api } = await setup(server, {}, acct);
  const v = await api.verifications.create({ to, channel: 'sms' });
  assert.equal(v.sendCodeAttempts.length, 1);
  const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
  if (outcome === 'sent') await until(() => channelData(a, vl), (d) => d.provider !== null, `a provider to take the code for ${to}`);
  const job = await until(() => server.stores.sendJobs.sendJobStatus(vl), (j) => outcome === 'sent' || j?.state === 'failed', `the job of ${to} to fail`);
  return { acct: a, api, v, vl, job: job! };
}

/** A US number no earlier test (or backend) used: the stand-ins keep every message. */
let next = 10;
const freshUs = () => `+150171226${String(next++).padStart(2, '0')}`;

const tried = (tries: Try[]) => tries.map((t) => `${t.provider}:${t.result}${t.error_code ? `:${t.error_code}` : ''}`);

onEachBackend(
  'routing and failover',
  async (t, server) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;

    await t.test('the destination country picks the route: US to primary, GB to backup', async () => {
      const us = await send(server, US);
      const gb = await send(server, GB);
      assert.ok(standInA.created.some((c) => c.form.To === US));
      assert.ok(standInB.created.some((c) => c.form.To === GB));
      assert.ok(!standInB.created.some((c) => c.form.To === US) && !standInA.created.some((c) => c.form.To === GB));
      assert.equal((await channelData(us.acct, us.vl)).provider, 'primary');
      assert.deepEqual(tried((await channelData(gb.acct, gb.vl)).tries), ['backup:sent']);
    });

    await t.test('the first provider refuses: the second sends, one attempt, channel_data names it and lists both tries', async () => {
      const to = freshUs();
      standInA.refuseDestination(to, 21610, 'Attempt to send to unsubscribed recipient');
      const { acct, v, vl, job } = await send(server, to);
      const data = await channelData(acct, vl);
      assert.equal(data.provider, 'backup');
      assert.equal(data.message_status, 'queued');
      assert.deepEqual(tried(data.tries), ['primary:refused:21610', 'backup:sent']);
      assert.equal(job.attempts, 1, 'one dispatcher run');
      assert.equal((await server.stores.verifications.listSends(v.sid)).length, 1, 'one attempt: failover does not count toward the send limit');
    });

    await t.test("the attempt's price is the delivering provider's, not the one that refused", async () => {
      const to = freshUs();
      standInA.refuseDestination(to, 21610, 'Attempt to send to unsubscribed recipient');
      const refused = await send(server, to);
      const direct = await send(server, freshUs());
      const price = async (acct: Account, vl: string) => (await acct.client.verify.v2.verificationAttempts(vl).fetch()).price as unknown;
      assert.deepEqual(await price(refused.acct, refused.vl), { value: '0.0500', currency: 'USD' });
      assert.deepEqual(await price(direct.acct, direct.vl), { value: '0.0100', currency: 'USD' });
    });

    await t.test('the first provider refuses connections: the second sends in the same run', async () => {
      const { acct, vl, job } = await send(server, FR);
      assert.deepEqual(tried((await channelData(acct, vl)).tries), ['down:unreachable', 'backup:sent']);
      assert.equal(job.attempts, 1);
    });

    await t.test('the first provider hangs before TLS: past its connect timeout the second sends, in the same run', async () => {
      const { acct, vl, job } = await send(server, DE);
      assert.deepEqual(tried((await channelData(acct, vl)).tries), ['silent:unreachable', 'backup:sent']);
      assert.equal(job.attempts, 1, 'moved on at the connect timeout, not at SEND_TIMEOUT_MS with a retry');
      assert.ok(standInB.created.some((c) => c.form.To === DE));
    });

    await t.test('every provider down: the start is 201, the attempt ends failed (30008) after the retries', async () => {
      const { acct, vl, job } = await send(server, ES, 'failed');
      const data = await channelData(acct, vl);
      assert.equal(data.message_status, 'failed');
      assert.equal(data.error_code, '30008');
      assert.equal(data.provider, null);
      assert.equal(job.attempts, 3, 'SEND_MAX_ATTEMPTS runs');
      assert.ok(data.tries.every((x) => x.result === 'unreachable'));
      assert.ok(data.tries.length >= 4, JSON.stringify(data.tries));
    });

    await t.test('a failure receipt sends the code on to the next provider; the same attempt shows the delivering one', async () => {
      const to = freshUs();
      const { acct, vl } = await send(server, to);
      const first = await standInA.waitFor((c) => c.form.To === to, 'primary to send');
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.state, 'pending', 'the job waits for the receipt');
      assert.equal((await standInA.sendStatus(first.sid, 'undelivered', { errorCode: 30003 })).status, 204);
      const second = await standInB.waitFor((c) => c.form.To === to, 'backup to send after the failure receipt');
      assert.equal(second.form.Body, first.form.Body, 'the same code');
      const data = await until(() => channelData(acct, vl), (d) => d.provider === 'backup', 'backup recorded');
      assert.deepEqual(tried(data.tries), ['primary:sent', 'primary:failure_receipt:30003', 'backup:sent']);
      assert.equal(data.message_status, 'queued');
      // The failed message's later receipts change nothing; the backup's move the attempt.
      await standInA.sendStatus(first.sid, 'delivered');
      assert.equal((await channelData(acct, vl)).message_status, 'queued');
      await standInB.sendStatus(second.sid, 'delivered');
      assert.equal((await channelData(acct, vl)).message_status, 'delivered');
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.state, 'sent', 'the last provider sends no receipt wait');
    });

    await t.test('a delivery receipt ends the wait: the job is sent and its sealed code wiped', async () => {
      const to = freshUs();
      const { acct, vl } = await send(server, to);
      const first = await standInA.waitFor((c) => c.form.To === to, 'primary to send');
      await standInA.sendStatus(first.sid, 'delivered');
      const job = await server.stores.sendJobs.sendJobStatus(vl);
      assert.deepEqual([job?.state, job?.sealed], ['sent', false]);
      assert.equal((await channelData(acct, vl)).message_status, 'delivered');
    });

    await t.test('a provider that keeps failing has its circuit opened: later sends go to the next provider first', async () => {
      const a = await send(server, IT);
      const b = await send(server, IT, 'sent', a.acct);
      assert.deepEqual(tried((await channelData(a.acct, a.vl)).tries), ['flaky:unreachable', 'backup:sent']);
      assert.deepEqual(tried((await channelData(b.acct, b.vl)).tries), ['flaky:unreachable', 'backup:sent']);
      const c = await send(server, IT, 'sent', a.acct);
      assert.deepEqual(tried((await channelData(c.acct, c.vl)).tries), ['backup:sent'], 'flaky is skipped while its circuit is open');
    });
  },
  { providers: PROVIDERS, sends: { timeoutMs: 20_000 } },
);

onEachBackend(
  'failover on a missing receipt (on_receipt_timeout)',
  async (t, server) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;

    await t.test('no receipt within the timeout: the next provider sends; the same attempt lists the wait', async () => {
      const to = freshUs();
      const { acct, vl } = await send(server, to);
      await standInA.waitFor((c) => c.form.To === to, 'primary to send');
      await standInB.waitFor((c) => c.form.To === to, 'backup to send once the receipt is late');
      const data = await until(() => channelData(acct, vl), (d) => d.provider === 'backup', 'backup recorded');
      assert.deepEqual(tried(data.tries), ['primary:sent', 'primary:receipt_timeout', 'backup:sent']);
      assert.equal((await server.stores.verifications.listSends(data.verification_sid as string)).length, 1);
    });
  },
  { providers: { ...PROVIDERS, failover: { ...PROVIDERS.failover, receiptTimeoutMs: 200, onReceiptTimeout: true } } },
);

/**
 * The contrast: the same short receipt timeout with on_receipt_timeout off, on a ManualClock moved
 * well past it. The job keeps waiting (for a failure receipt, until the code expires) and nobody
 * sends again. "The dispatcher had its chance" is observed, not waited for: a later send is taken
 * by a claim made after the move (which would have claimed the late job too, due first), and
 * stopping the dispatcher waits for every job it has under way to be recorded.
 */
onEachBackend(
  'no failover on a missing receipt (on_receipt_timeout off)',
  async (t, server, clock) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;

    await t.test('no receipt within the timeout: the job keeps waiting on the first provider; the next sends nothing', async () => {
      const to = freshUs();
      const { acct, vl } = await send(server, to);
      await standInA.waitFor((c) => c.form.To === to, 'primary to send');
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.state, 'pending', 'the job waits for a failure receipt');
      clock.advance(60_000);
      const later = freshUs();
      await send(server, later, 'sent', acct);
      await standInA.waitFor((c) => c.form.To === later, 'primary to send a code started after the clock moved');
      await server.sendDispatcher!.stop();
      const data = await channelData(acct, vl);
      assert.equal(data.provider, 'primary');
      assert.deepEqual(tried(data.tries), ['primary:sent']);
      assert.deepEqual(standInB.created.filter((c) => c.form.To === to), [], 'backup sent nothing');
      assert.equal((await server.stores.sendJobs.sendJobStatus(vl))?.state, 'pending', 'still waiting: a failure receipt can send it on until the code expires');
    });
  },
  { start: new Date('2025-03-01T12:00:00.000Z'), providers: { ...PROVIDERS, failover: { ...PROVIDERS.failover, receiptTimeoutMs: 200, onReceiptTimeout: false } } },
);
