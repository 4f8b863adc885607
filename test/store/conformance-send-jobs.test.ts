/**
 * Store conformance for the send queue (SendJobStore) and the receipts' AttemptStore method, on
 * SQLite and PostgreSQL alike: a job commits (or rolls back) with its start, claims are exclusive
 * leases that renewals extend and other claims respect, a settlement under a stale claim records
 * nothing, an ended job keeps no sealed code, and attempts only move forward.
 */
import assert from 'node:assert/strict';
import { CodeKeyring } from '../../src/domain/code/keys.js';
import { newSid } from '../../src/domain/ids.js';
import type { SendJob, SendSettlement } from '../../src/domain/ports.js';
import type { Verification } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { sendRequest } from '../support/send-request.js';
import { T0, send, service, verification } from './fixtures.js';

const keys = new CodeKeyring([{ id: 'k1', secret: Buffer.alloc(32, 3) }]);

function job(v: Verification, attemptSid: string, sealedCode: SendJob['sealedCode'] = null): SendJob {
  const { code: _code, ...request } = sendRequest({ accountSid: v.accountSid, serviceSid: v.serviceSid, verificationSid: v.sid, attemptSid, to: v.to });
  return { attemptSid, verificationSid: v.sid, channel: 'sms', request, sealedCode, dateCreated: T0 };
}

const settlement = (id: string, claim: string, over: Partial<SendSettlement> = {}): SendSettlement => ({
  job: { id, claim },
  state: 'sent',
  tried: true,
  nextAttemptAt: T0,
  error: null,
  attempt: { status: 'sent', errorCode: null, providerName: 'p', providerMessageId: `m-${id}` },
  at: T0 + 1,
  ...over,
});

forEachBackend('store conformance: the send queue', async (t, stores) => {
  const svc = service(newSid('AC'));
  await stores.services.insertService(svc);
  const jobs = stores.sendJobs;
  let n = 0;

  /** A verification with one attempt and its job, committed in one transaction. */
  async function start(sealedCode: SendJob['sealedCode'] = null, over: Partial<Verification> = {}) {
    const v = verification(svc, { to: `+1501712${String(1000 + n++)}`, ...over });
    const s = send(v);
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(s);
      await tx.insertSendJob(job(v, s.sid, sealedCode));
    });
    return { v, vl: s.sid };
  }

  await t.test('a job commits with its start, and rolls back with it', async () => {
    const { vl } = await start();
    assert.deepEqual(await jobs.sendJobStatus(vl), { state: 'pending', attempts: 0, lastError: null, sealed: false });
    const v = verification(svc, { to: '+15017129999' });
    const s = send(v);
    await assert.rejects(
      stores.verifications.transaction(async (tx) => {
        await tx.insertVerification(v);
        await tx.insertSend(s);
        await tx.insertSendJob(job(v, s.sid));
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await jobs.sendJobStatus(s.sid), undefined);
    // Leave nothing due for the next tests.
    const claimed = await jobs.claimSendJobs(T0, T0 + 10_000, 100);
    for (const c of claimed) assert.equal(await jobs.settleSendJob(settlement(c.id, c.claim)), true);
  });

  await t.test('a claim is a lease: the job and its verification come with it, and no other claim takes it until it lapses', async () => {
    const { v, vl } = await start();
    const [c] = await jobs.claimSendJobs(T0, T0 + 5_000, 10);
    assert.equal(c?.id, vl);
    assert.equal(c?.attempts, 0);
    assert.deepEqual(c?.verification, { status: 'pending', expiresAt: v.expiresAt, codeKeyId: v.codeKeyId, codeSeed: v.codeSeed, codeLength: v.codeLength, customCode: false });
    assert.equal(c?.request.to, v.to);
    assert.deepEqual(await jobs.claimSendJobs(T0 + 4_999, T0 + 10_000, 10), [], 'held');
    assert.deepEqual(await jobs.renewSendLeases([c!], T0 + 1_000, T0 + 8_000), [vl]);
    assert.deepEqual(await jobs.claimSendJobs(T0 + 7_999, T0 + 10_000, 10), [], 'renewed');
    const [again] = await jobs.claimSendJobs(T0 + 8_000, T0 + 20_000, 10);
    assert.equal(again?.id, vl, 'lapsed: claimed again');
    assert.notEqual(again?.claim, c?.claim);
    assert.deepEqual(await jobs.renewSendLeases([c!], T0 + 8_001, T0 + 30_000), [], "the old claim's renewal renews nothing");
    assert.equal(await jobs.settleSendJob(settlement(vl, c!.claim)), false, 'a stale claim settles nothing');
    assert.equal((await stores.verifications.listSends(v.sid))[0]?.messageStatus, 'queued');
    assert.equal(await jobs.settleSendJob(settlement(vl, again!.claim)), true);
    assert.deepEqual(await jobs.sendJobStatus(vl), { state: 'sent', attempts: 1, lastError: null, sealed: false });
    assert.equal((await stores.verifications.listSends(v.sid))[0]?.messageStatus, 'sent');
  });

  await t.test('settleSendJobs records many outcomes in one call, in order, each under its own claim', async () => {
    const a = await start();
    const b = await start();
    const c = await start();
    const claimed = await jobs.claimSendJobs(T0, T0 + 5_000, 10);
    assert.deepEqual(claimed.map((j) => j.id).sort(), [a.vl, b.vl, c.vl].sort());
    const claimOf = (id: string) => claimed.find((j) => j.id === id)!.claim;
    const [taken] = await jobs.claimSendJobs(T0 + 5_000, T0 + 20_000, 1);
    assert.ok(taken, 'one lapsed claim taken over');
    const stale = taken.id;
    const [first, second] = [a.vl, b.vl, c.vl].filter((id) => id !== stale);
    assert.deepEqual(await jobs.settleSendJobs([]), []);
    const results = await jobs.settleSendJobs([
      settlement(first!, claimOf(first!)),
      settlement(stale, claimOf(stale)),
      settlement(second!, claimOf(second!), { state: 'failed', error: 'Error: down', attempt: { status: 'failed', errorCode: 30008, providerName: null, providerMessageId: null } }),
      // The same job again under the claim that took it over: settled after the stale one, not overwritten by it.
      settlement(stale, taken.claim, { attempt: { status: 'sent', errorCode: null, providerName: 'p', providerMessageId: 'm-new' } }),
    ]);
    assert.deepEqual(results, [true, false, true, true]);
    assert.deepEqual(await jobs.sendJobStatus(first!), { state: 'sent', attempts: 1, lastError: null, sealed: false });
    assert.deepEqual(await jobs.sendJobStatus(second!), { state: 'failed', attempts: 1, lastError: 'Error: down', sealed: false });
    assert.deepEqual(await jobs.sendJobStatus(stale), { state: 'sent', attempts: 1, lastError: null, sealed: false });
    const sendOf = async (vl: string) => (await stores.verifications.listSends([a, b, c].find((x) => x.vl === vl)!.v.sid))[0];
    assert.equal((await sendOf(first!))?.messageStatus, 'sent');
    assert.equal((await sendOf(second!))?.messageStatus, 'failed');
    assert.equal((await sendOf(stale))?.messageStatus, 'sent');
    assert.equal(await jobs.settleSendJob(settlement(stale, claimOf(stale))), false, 'ended: the stale claim still settles nothing');
  });

  await t.test('a release makes the job due at once; a retry makes it due later, with its error kept', async () => {
    const { vl } = await start();
    const [c] = await jobs.claimSendJobs(T0, T0 + 5_000, 10);
    await jobs.releaseSendJobs([vl], c!.claim, T0 + 1);
    const [c2] = await jobs.claimSendJobs(T0 + 1, T0 + 5_000, 10);
    assert.equal(c2?.id, vl);
    assert.equal(await jobs.settleSendJob(settlement(vl, c2!.claim, { state: 'pending', nextAttemptAt: T0 + 500, error: 'Error: down', attempt: null })), true);
    assert.deepEqual(await jobs.claimSendJobs(T0 + 499, T0 + 5_000, 10), []);
    const [c3] = await jobs.claimSendJobs(T0 + 500, T0 + 5_000, 10);
    assert.equal(c3?.attempts, 1);
    assert.equal(await jobs.settleSendJob(settlement(vl, c3!.claim, { state: 'failed', error: 'Error: still down', attempt: { status: 'failed', errorCode: 30008, providerName: null, providerMessageId: null } })), true);
    assert.deepEqual(await jobs.sendJobStatus(vl), { state: 'failed', attempts: 2, lastError: 'Error: still down', sealed: false });
  });

  await t.test('a sealed custom code comes back with the claim, opens only for its attempt, and is wiped when the job ends', async () => {
    const v0 = verification(svc);
    const code = '98765432';
    const sendRow = send(v0);
    const sealedCode = keys.seal(code, sendRow.sid);
    assert.ok(!sealedCode.sealed.includes(code));
    const { vl } = await (async () => {
      await stores.verifications.transaction(async (tx) => {
        await tx.insertVerification({ ...v0, to: '+15017128888', customCode: true, codeSeed: null });
        await tx.insertSend({ ...sendRow, to: '+15017128888' });
        await tx.insertSendJob(job(v0, sendRow.sid, sealedCode));
      });
      return { vl: sendRow.sid };
    })();
    assert.equal((await jobs.sendJobStatus(vl))?.sealed, true);
    const [c] = await jobs.claimSendJobs(T0, T0 + 5_000, 10);
    assert.deepEqual(c?.sealedCode, sealedCode);
    assert.equal(keys.open(sealedCode.keyId, sealedCode.sealed, vl), code);
    assert.equal(keys.open(sealedCode.keyId, sealedCode.sealed, 'VLother'), undefined, 'bound to its attempt');
    assert.equal(await jobs.settleSendJob(settlement(vl, c!.claim, { state: 'pending', nextAttemptAt: T0, attempt: null })), true);
    assert.equal((await jobs.sendJobStatus(vl))?.sealed, true, 'kept while the job is retried');
    const [c2] = await jobs.claimSendJobs(T0, T0 + 5_000, 10);
    assert.equal(await jobs.settleSendJob(settlement(vl, c2!.claim, { state: 'dropped', tried: false, attempt: { status: 'canceled', errorCode: null, providerName: null, providerMessageId: null } })), true);
    assert.deepEqual(await jobs.sendJobStatus(vl), { state: 'dropped', attempts: 1, lastError: null, sealed: false });
  });

  await t.test('updateDeliveryStatus moves an attempt forward only, by provider and message id', async () => {
    const { v, vl } = await start();
    const [c] = await jobs.claimSendJobs(T0, T0 + 5_000, 10);
    assert.equal(await jobs.settleSendJob(settlement(vl, c!.claim)), true);
    const a = stores.attempts;
    const status = async () => (await stores.verifications.listSends(v.sid))[0];
    assert.equal(await a.updateDeliveryStatus('p', `m-${vl}`, 'queued', null, T0 + 2), false, 'backwards');
    assert.equal(await a.updateDeliveryStatus('other', `m-${vl}`, 'delivered', null, T0 + 2), false, 'another provider');
    assert.equal(await a.updateDeliveryStatus('p', `m-${vl}`, 'no-such-status', null, T0 + 2), false, 'not a status');
    assert.equal(await a.updateDeliveryStatus('p', `m-${vl}`, 'undelivered', 30005, T0 + 3), true);
    assert.deepEqual([(await status())?.messageStatus, (await status())?.errorCode, (await status())?.dateUpdated], ['undelivered', 30005, T0 + 3]);
    assert.equal(await a.updateDeliveryStatus('p', `m-${vl}`, 'delivered', null, T0 + 4), false, 'a final status stands');
    assert.equal(await a.updateDeliveryStatus('p', `m-${vl}`, 'sent', null, T0 + 4), false, 'a late sent');
    assert.equal((await status())?.messageStatus, 'undelivered');
  });
});
