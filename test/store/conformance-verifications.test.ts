/**
 * Store conformance for VerificationStore: verification transactions, the one-pending-per-To index, locking
 * reads, child-row listings and the expiry sweep, on SQLite and PostgreSQL alike.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { MissingParent, UniqueViolation } from '../../src/domain/ports.js';
import type { Verification } from '../../src/domain/types.js';
import { expireDue } from '../../src/domain/verification/expire.js';
import { forEachBackend } from '../support/databases.js';
import { T0, send, service, snaSession, statusChange, verification } from './fixtures.js';

forEachBackend('store conformance: verification transactions', async (t, stores) => {
  const svc = service(newSid('AC'));
  await stores.services.insertService(svc);

  await t.test('verification, send and status change commit together', async () => {
    const v = verification(svc, { to: '+15017120001' });
    const s = send(v);
    const c = statusChange(v);
    const out = await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(s);
      await tx.insertStatusChange(c);
      return 'committed';
    });
    assert.equal(out, 'committed', 'transaction returns the callback result');
    assert.deepEqual(await stores.verifications.getVerification(svc.sid, v.sid), v);
    assert.deepEqual(await stores.verifications.getPendingByTo(svc.sid, v.to), v);
    assert.deepEqual(await stores.verifications.listSends(v.sid), [s]);
    assert.deepEqual(await stores.verifications.listStatusChanges(v.sid), [c]);
    assert.equal(await stores.verifications.getVerification(newSid('VA'), v.sid), undefined, 'scoped by service');
  });

  await t.test('the carrier lookup is kept whole with the verification, replaced by an update, and null without one', async () => {
    const carrier = { mobileCountryCode: '234', mobileNetworkCode: '20', name: 'Three', type: 'mobile' as const, errorCode: null };
    const v = verification(svc, { to: '+447400123456', country: 'GB', lookup: carrier });
    const s = { ...send(v), mcc: '234', mnc: '20', carrier: 'Three' };
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(s);
    });
    assert.deepEqual((await stores.verifications.getVerification(svc.sid, v.sid))?.lookup, carrier);
    assert.deepEqual(await stores.verifications.listSends(v.sid), [s], 'the attempt keeps its network codes and carrier');
    const again = { ...v, lookup: { ...carrier, mobileNetworkCode: null, name: null, type: 'landline' as const, errorCode: 60608 } };
    await stores.verifications.transaction((tx) => tx.updateVerification(again));
    assert.deepEqual((await stores.verifications.getVerification(svc.sid, v.sid))?.lookup, again.lookup);
    await stores.verifications.transaction((tx) => tx.updateVerification({ ...v, lookup: null }));
    assert.equal((await stores.verifications.getVerification(svc.sid, v.sid))?.lookup, null);
  });

  await t.test('an error thrown in the callback rolls everything back and propagates unchanged', async () => {
    const v = verification(svc, { to: '+15017120002' });
    const sna = snaSession(v);
    const boom = new Error('boom');
    await assert.rejects(
      stores.verifications.transaction(async (tx) => {
        await tx.insertVerification(v);
        await tx.insertSend(send(v));
        await tx.insertStatusChange(statusChange(v));
        await tx.insertCheck({ verificationSid: v.sid, result: 'FAILURE', dateCreated: T0 });
        await tx.insertSnaSession(sna);
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(await stores.verifications.getVerification(svc.sid, v.sid), undefined);
    assert.deepEqual(await stores.verifications.listSends(v.sid), []);
    assert.deepEqual(await stores.verifications.listStatusChanges(v.sid), []);
    assert.deepEqual(await stores.verifications.listChecks(v.sid), []);
    assert.equal(await stores.sna.findSnaSession(sna.tokenHash), undefined);
  });

  await t.test('one pending verification per service and To: a second is a UniqueViolation', async () => {
    const to = '+15017120003';
    const first = verification(svc, { to });
    await stores.verifications.transaction((tx) => tx.insertVerification(first));

    const second = verification(svc, { to });
    const earlier = verification(svc, { to: '+15017120033' });
    await assert.rejects(
      stores.verifications.transaction(async (tx) => {
        // Written before the violating insert: it must be rolled back with it.
        await tx.insertVerification(earlier);
        await tx.insertStatusChange(statusChange(earlier));
        await tx.insertVerification(second);
      }),
      UniqueViolation,
    );
    assert.equal(await stores.verifications.getVerification(svc.sid, second.sid), undefined);
    assert.equal(await stores.verifications.getVerification(svc.sid, earlier.sid), undefined);
    assert.deepEqual(await stores.verifications.listStatusChanges(earlier.sid), []);

    // The index is partial (pending only) and per service; a duplicate sid is a violation as well.
    const approved = verification(svc, { to, status: 'approved' });
    const canceled = verification(svc, { to, status: 'canceled' });
    const sibling = service(svc.accountSid);
    await stores.services.insertService(sibling);
    const otherService = verification(sibling, { to });
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(approved);
      await tx.insertVerification(canceled);
      await tx.insertVerification(otherService);
    });
    assert.deepEqual(await stores.verifications.getVerification(svc.sid, approved.sid), approved);
    assert.deepEqual(await stores.verifications.getPendingByTo(svc.sid, to), first);
    await assert.rejects(stores.verifications.transaction((tx) => tx.insertVerification({ ...first, to: '+15017120099' })), UniqueViolation);
    // A verification whose service does not exist is refused: no orphans.
    await assert.rejects(stores.verifications.transaction((tx) => tx.insertVerification(verification(service(svc.accountSid)))), MissingParent);
  });

  await t.test('lockBySid and lockPendingByTo find only what they should', async () => {
    const v = verification(svc, { to: '+15017120004' });
    const done = verification(svc, { to: '+15017120005', status: 'approved' });
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertVerification(done);
    });
    await stores.verifications.transaction(async (tx) => {
      assert.deepEqual(await tx.lockBySid(svc.sid, v.sid), v);
      assert.deepEqual(await tx.lockBySid(svc.sid, done.sid), done, 'lockBySid returns any status');
      assert.equal(await tx.lockBySid(newSid('VA'), v.sid), undefined, 'scoped by service');
      assert.equal(await tx.lockBySid(svc.sid, newSid('VE')), undefined);
      assert.deepEqual(await tx.lockPendingByTo(svc.sid, v.to), v);
      assert.equal(await tx.lockPendingByTo(svc.sid, done.to), undefined, 'only pending');
      assert.equal(await tx.lockPendingByTo(newSid('VA'), v.to), undefined);
    });
  });

  await t.test('updateVerification persists status, counters, channel and code fields', async () => {
    const v = verification(svc, { to: '+15017120006' });
    await stores.verifications.transaction((tx) => tx.insertVerification(v));
    const changed: Verification = {
      ...v,
      channel: 'call',
      status: 'max_attempts_reached',
      codeLength: 8,
      codeKeyId: 'k2',
      codeSeed: null,
      codeHash: 'new-hash',
      customCode: true,
      locale: 'fr',
      checkCount: 5,
      sendCount: 3,
      expiresAt: v.expiresAt + 1,
      dateUpdated: T0 + 123_456,
    };
    await stores.verifications.transaction((tx) => tx.updateVerification(changed));
    assert.deepEqual(await stores.verifications.getVerification(svc.sid, v.sid), changed);
    assert.equal(await stores.verifications.getPendingByTo(svc.sid, v.to), undefined, 'no longer pending');
  });

  // Insertion order, not time: two sends in one millisecond must still list in the order they were made.
  await t.test('listSends, listChecks and listStatusChanges in insertion order', async () => {
    const v = verification(svc, { to: '+15017120007' });
    const sends = [T0 + 3000, T0 + 3000, T0 + 3000].map((d) => send(v, { dateCreated: d, dateUpdated: d }));
    const checks = (['FAILURE', 'FAILURE', 'SUCCESS'] as const).map((result) => ({ verificationSid: v.sid, result, dateCreated: T0 }));
    const changes = [
      statusChange(v, { dateCreated: T0 + 5 }),
      statusChange(v, { fromStatus: 'pending', toStatus: 'approved', cause: 'check', dateCreated: T0 + 5 }),
    ];
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      for (const s of sends) await tx.insertSend(s);
      for (const c of checks) await tx.insertCheck(c);
      for (const c of changes) await tx.insertStatusChange(c);
    });
    assert.deepEqual(await stores.verifications.listSends(v.sid), sends);
    assert.deepEqual(await stores.verifications.listChecks(v.sid), checks);
    assert.deepEqual(await stores.verifications.listStatusChanges(v.sid), changes);
    assert.deepEqual(await stores.verifications.listSends(newSid('VE')), []);
  });

  await t.test('updateSendStatus writes status, error code and dateUpdated only', async () => {
    const v = verification(svc, { to: '+15017120008' });
    const [a, b] = [send(v), send(v, { dateCreated: T0 + 1 })];
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(a!);
      await tx.insertSend(b!);
    });
    await stores.verifications.updateSendStatus(a!.sid, 'delivered', null, T0 + 10);
    await stores.verifications.updateSendStatus(b!.sid, 'failed', 30008, T0 + 20);
    assert.deepEqual(await stores.verifications.listSends(v.sid), [
      { ...a!, messageStatus: 'delivered', errorCode: null, dateUpdated: T0 + 10 },
      { ...b!, messageStatus: 'failed', errorCode: 30008, dateUpdated: T0 + 20 },
    ]);
  });
});

// A store of its own: the sweep is global, so rows from other tests would change its counts.
forEachBackend('store conformance: expiry sweep', async (t, stores) => {
  const svc = service(newSid('AC'));
  await stores.services.insertService(svc);
  const now = T0 + 600_000;
  const mk = (to: string, over: Partial<Verification>) => verification(svc, { to, ...over });
  const dueEarly = mk('+15017120101', { expiresAt: now - 1 });
  const dueExactly = mk('+15017120102', { expiresAt: now });
  const notYet = mk('+15017120103', { expiresAt: now + 1 });
  const approved = mk('+15017120104', { expiresAt: now - 100, status: 'approved' });
  await stores.verifications.transaction(async (tx) => {
    for (const v of [dueEarly, dueExactly, notYet, approved]) await tx.insertVerification(v);
  });

  await t.test('expireDue moves only due pending rows and records one status change each', async () => {
    assert.equal(await expireDue(stores.verifications, now, 100), 2);
    const expiredChange = (v: Verification) => statusChange(v, { fromStatus: 'pending', toStatus: 'expired', cause: 'expiry', dateCreated: now });
    for (const v of [dueEarly, dueExactly]) {
      assert.deepEqual(await stores.verifications.getVerification(svc.sid, v.sid), { ...v, status: 'expired', dateUpdated: now });
      assert.deepEqual(await stores.verifications.listStatusChanges(v.sid), [expiredChange(v)]);
    }
    assert.deepEqual(await stores.verifications.getVerification(svc.sid, notYet.sid), notYet);
    assert.deepEqual(await stores.verifications.getVerification(svc.sid, approved.sid), approved);
    assert.deepEqual(await stores.verifications.listStatusChanges(notYet.sid), []);
    assert.deepEqual(await stores.verifications.listStatusChanges(approved.sid), []);

    assert.equal(await expireDue(stores.verifications, now, 100), 0, 'a second run finds nothing');
    assert.equal((await stores.verifications.listStatusChanges(dueEarly.sid)).length, 1);
  });

  await t.test('expireDue honours its limit', async () => {
    const later = now + 10_000;
    const more = ['+15017120111', '+15017120112', '+15017120113'].map((to) => mk(to, { expiresAt: later - 1 }));
    await stores.verifications.transaction(async (tx) => {
      for (const v of more) await tx.insertVerification(v);
    });
    // notYet (expiresAt now + 1) is due by now as well: four rows in all.
    assert.equal(await expireDue(stores.verifications, later, 3), 3);
    assert.equal(await expireDue(stores.verifications, later, 3), 1);
    assert.equal(await expireDue(stores.verifications, later, 3), 0);
    for (const v of [...more, notYet]) assert.equal((await stores.verifications.getVerification(svc.sid, v.sid))?.status, 'expired');
  });
});
