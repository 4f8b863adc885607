/**
 * The send queue survives the process: verifyd (test/support/queued-main.ts, `npm start` with SMS
 * routed to an HTTP provider on a local stand-in) is killed with SIGKILL after a start's 201 and
 * after its dispatcher claimed the job, but before the provider got the message (the provider's
 * first request, a gate, is held). Restarted on the same database, it sends the message exactly
 * once, when the dead process's lease lapses. SQLite file and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { BackendName } from '../support/databases.js';
import type { SentMessage } from '../support/http-provider.js';
import { accountOn, durableEnv, killAll, processDatabase, signal, startVerifyd, takeOutputs } from '../support/processes.js';
import { Receiver } from '../support/receiver.js';

after(killAll);

const ENTRY = 'test/support/queued-main.ts';
const US = '+15017122671';

for (const backend of ['sqlite', 'postgres'] as BackendName[]) {
  test(`a code committed but not yet sent when verifyd is killed is sent exactly once after it restarts [${backend}]`, async (t) => {
    const db = await processDatabase(backend);
    if ('skip' in db) return void t.skip(db.skip);
    const receiver = await Receiver.start();
    const { env, sid, token } = durableEnv(db, { TEST_PROVIDER_URL: receiver.origin });
    const messages = () => receiver.requests.filter((r) => r.url === '/messages').map((r) => JSON.parse(r.body) as SentMessage);
    const gates = () => receiver.requests.filter((r) => r.url === '/gate').length;
    const waitUntil = async (what: string, ok: () => Promise<boolean> | boolean) => {
      for (const deadline = Date.now() + 30_000; !(await ok()); await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) assert.fail(`${what}: not within 30 s`);
      }
    };
    takeOutputs();
    try {
      receiver.answer('hang', 1);
      const first = await startVerifyd(env, ENTRY);
      const api = accountOn(first.base, sid, token).client.verify.v2;
      const svc = await api.services.create({ friendlyName: 'Durable' });
      const v = await api.services(svc.sid).verifications.create({ to: US, channel: 'sms' });
      const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
      await waitUntil('the dispatcher reached the provider', () => gates() === 1);
      assert.equal(messages().length, 0, 'the message itself was not sent');

      assert.equal((await signal(first, 'SIGKILL')).signal, 'SIGKILL');
      const [before] = await db.query<{ state: string; claim: string | null; attempts: number | string }>('SELECT state, claim, attempts FROM send_jobs WHERE attempt_sid = ?', [vl]);
      assert.equal(before?.state, 'pending');
      assert.notEqual(before?.claim, null, 'claimed by the killed process');

      const second = await startVerifyd(env, ENTRY);
      const attempts = accountOn(second.base, sid, token).client.verify.v2;
      await waitUntil('the attempt recorded as sent', async () => ((await attempts.verificationAttempts(vl).fetch()).channelData as { message_status: string }).message_status === 'sent');
      assert.deepEqual(
        messages().map((m) => [m.attemptSid, m.to]),
        [[vl, US]],
        'sent exactly once',
      );
      const [after] = await db.query<{ state: string; attempts: number | string; sealed_code: string | null }>('SELECT state, attempts, sealed_code FROM send_jobs WHERE attempt_sid = ?', [vl]);
      assert.deepEqual({ ...after, attempts: Number(after?.attempts) }, { state: 'sent', attempts: 1, sealed_code: null });
      // The code that went out is the one that checks.
      const checked = await attempts.services(svc.sid).verificationChecks.create({ to: US, code: messages()[0]!.code });
      assert.equal(checked.status, 'approved');
    } catch (err) {
      for (const o of takeOutputs()) t.diagnostic(o);
      throw err;
    } finally {
      killAll();
      await receiver.close();
      await db.drop();
    }
  });
}
