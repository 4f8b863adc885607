/**
 * Store conformance: the Attempts API's reads over every verification's sends (filters, keyset
 * pages both ways, account scope, totals), their retention, and the API throttle's shared counters,
 * on SQLite and PostgreSQL alike.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import type { SendAttempt, Verification } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { T0, account, send, service, verification } from './fixtures.js';

forEachBackend('store conformance: attempts and the API throttle', async (t, stores) => {
  const acct = account();
  await stores.accounts.insertAccount(acct);
  const svc = service(acct.sid);
  await stores.services.insertService(svc);
  const other = service(newSid('AC'));
  await stores.services.insertService(other);

  /** A verification with one send, `at` ms after T0. */
  const attempt = async (at: number, over: Partial<Verification> = {}, sendOver: Partial<SendAttempt> = {}, svcOf = svc) => {
    const v = verification(svcOf, { to: `+1501712${String(at).padStart(4, '0')}`, status: 'approved', dateCreated: T0 + at, ...over });
    const s = send(v, { dateCreated: T0 + at, dateUpdated: T0 + at, ...sendOver });
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(s);
    });
    return s;
  };
  const a1 = await attempt(1);
  const a2 = await attempt(2, { channel: 'email', to: 'a@example.com', country: null }, { channel: 'email', to: 'a@example.com', country: null, converted: true });
  const a3 = await attempt(3, { country: 'GB', to: '+447700900123' }, { country: 'GB', to: '+447700900123' });
  const foreign = await attempt(4, {}, {}, other);
  const page = { offset: 0, limit: 50 };
  const sids = (rows: SendAttempt[]) => rows.map((r) => r.sid);

  await t.test('list: newest first, scoped to the account, every filter', async () => {
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, {}, page)), [a3.sid, a2.sid, a1.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { channel: 'email' }, page)), [a2.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { country: 'GB' }, page)), [a3.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { to: a1.to }, page)), [a1.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { converted: true }, page)), [a2.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { verificationSid: a1.verificationSid }, page)), [a1.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { createdAfter: T0 + 2, createdBefore: T0 + 2 }, page)), [a2.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, { serviceSid: other.sid }, page)), [], 'another account’s service');
  });

  await t.test('pages: after a cursor and back before it, in listing order', async () => {
    const cursor = { dateCreated: a2.dateCreated, sid: a2.sid };
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, {}, { cursor, offset: 0, limit: 50 })), [a1.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, {}, { cursor, back: true, offset: 0, limit: 50 })), [a3.sid]);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, {}, { offset: 1, limit: 1 })), [a2.sid]);
  });

  await t.test('fetch is scoped to the account', async () => {
    assert.deepEqual(await stores.attempts.getAttempt(acct.sid, a1.sid), a1);
    assert.equal(await stores.attempts.getAttempt(acct.sid, foreign.sid), undefined);
  });

  await t.test('summary: totals and conversions under the same filters, destination prefix as a range', async () => {
    assert.deepEqual(await stores.attempts.summarizeAttempts(acct.sid, {}), { total: 3, converted: 1 });
    assert.deepEqual(await stores.attempts.summarizeAttempts(acct.sid, { destinationPrefix: '+44' }), { total: 1, converted: 0 });
    assert.deepEqual(await stores.attempts.summarizeAttempts(acct.sid, { destinationPrefix: '+1501712' }), { total: 1, converted: 0 });
    assert.deepEqual(await stores.attempts.summarizeAttempts(acct.sid, { channel: 'whatsapp' }), { total: 0, converted: 0 });
  });

  await t.test('retention: attempts before a time go, then verifications left without attempts', async () => {
    assert.equal(await stores.attempts.purgeAttempts(T0 + 2, 1000), 1);
    assert.deepEqual(sids(await stores.attempts.listAttempts(acct.sid, {}, page)), [a3.sid, a2.sid]);
    assert.equal(await stores.verifications.purgeVerifications(T0 + 2, 1000), 1);
    assert.equal(await stores.verifications.getVerification(svc.sid, a1.verificationSid), undefined);
    assert.ok(await stores.verifications.getVerification(svc.sid, a2.verificationSid), 'a verification with attempts stays');
  });

  await t.test('API throttle: each hit counts once per bucket and window; old windows are purged', async () => {
    const bucket = `attempts:${acct.sid}`;
    const hits = await Promise.all(Array.from({ length: 20 }, () => stores.apiThrottle.hitApiThrottle(bucket, T0)));
    assert.deepEqual([...hits].sort((x, y) => x - y), Array.from({ length: 20 }, (_, i) => i + 1), 'concurrent hits see distinct counts');
    assert.equal(await stores.apiThrottle.hitApiThrottle(bucket, T0 + 60_000), 1, 'a new window starts at one');
    assert.equal(await stores.apiThrottle.hitApiThrottle('other', T0), 1, 'buckets are independent');
    await stores.apiThrottle.purgeApiThrottle(T0 + 60_000);
    assert.equal(await stores.apiThrottle.hitApiThrottle(bucket, T0), 1, 'the purged window starts over');
    assert.equal(await stores.apiThrottle.hitApiThrottle(bucket, T0 + 60_000), 2, 'the newer window was kept');
  });

  await t.test('receipts: found by provider name and message id, moved only forward', async () => {
    // Under another account, so the other tests' lists and totals stay as they are.
    const r = await attempt(5, {}, { messageStatus: 'queued' }, other);
    await stores.verifications.updateSendStatus(r.sid, 'queued', null, T0 + 6, { name: 'twilio', messageId: 'SM1' });
    const status = async () => (await stores.attempts.getAttempt(other.accountSid, r.sid))?.messageStatus;
    assert.equal(await stores.attempts.updateDeliveryStatus('other', 'SM1', 'sent', null, T0 + 7), false, 'another provider');
    assert.equal(await stores.attempts.updateDeliveryStatus('twilio', 'SM2', 'sent', null, T0 + 7), false, 'another message');
    assert.equal(await status(), 'queued');
    assert.equal(await stores.attempts.updateDeliveryStatus('twilio', 'SM1', 'undelivered', 30003, T0 + 8), true);
    assert.equal(await stores.attempts.updateDeliveryStatus('twilio', 'SM1', 'sent', null, T0 + 9), false, 'never back');
    const moved = await stores.attempts.getAttempt(other.accountSid, r.sid);
    assert.deepEqual([moved?.messageStatus, moved?.errorCode, moved?.dateUpdated], ['undelivered', 30003, T0 + 8]);
  });
});
