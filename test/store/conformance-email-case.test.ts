/**
 * Store conformance for the VerificationTx methods that settle e-mail addresses stored before they
 * were folded to lower case (lockUnfoldedPending, lockPendingCaseVariants, setDestination), and the
 * SQL fold agreeing with the domain's foldEmail, on SQLite and PostgreSQL alike.
 */
import assert from 'node:assert/strict';
import { foldEmail } from '../../src/domain/address.js';
import { newSid } from '../../src/domain/ids.js';
import type { Verification } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { T0, inboxMessage, send, service, verification } from './fixtures.js';

forEachBackend('store conformance: e-mail case', async (t, stores) => {
  const svc = service(newSid('AC'));
  const other = service(svc.accountSid);
  await stores.services.insertService(svc);
  await stores.services.insertService(other);
  const insert = (...vs: Verification[]) =>
    stores.verifications.transaction(async (tx) => {
      for (const v of vs) await tx.insertVerification(v);
    });
  const sids = (vs: Verification[]) => vs.map((v) => v.sid);

  await t.test('lockUnfoldedPending: pending e-mail addresses with an upper-case letter, oldest first', async () => {
    const older = verification(svc, { to: 'Ann@Example.com', channel: 'email', dateCreated: T0 });
    const newer = verification(other, { to: 'BOB@example.com', channel: 'email', dateCreated: T0 + 1 });
    const folded = verification(svc, { to: 'ann@example.com', channel: 'email' });
    const finished = verification(svc, { to: 'Cy@Example.com', channel: 'email', status: 'canceled' });
    const phone = verification(svc, { to: '+15017120501' });
    await insert(newer, folded, finished, phone, older);
    assert.deepEqual(sids(await stores.verifications.transaction((tx) => tx.lockUnfoldedPending())), [older.sid, newer.sid]);
  });

  await t.test('lockPendingCaseVariants: every pending variant of one address in one service, oldest first', async () => {
    const a = verification(svc, { to: 'Dee@Example.com', channel: 'email', dateCreated: T0 + 2 });
    const b = verification(svc, { to: 'dee@example.com', channel: 'email', dateCreated: T0 + 1 });
    const c = verification(svc, { to: 'DEE@EXAMPLE.COM', channel: 'email', dateCreated: T0 + 3 });
    const done = verification(svc, { to: 'DEe@example.com', channel: 'email', status: 'expired' });
    const elsewhere = verification(other, { to: 'Dee@example.com', channel: 'email' });
    const near = verification(svc, { to: 'dee@example.co', channel: 'email' });
    await insert(a, b, c, done, elsewhere, near);
    const found = await stores.verifications.transaction((tx) => tx.lockPendingCaseVariants(svc.sid, 'dee@example.com'));
    assert.deepEqual(sids(found), [b.sid, a.sid, c.sid]);
    assert.deepEqual(found[1], a, 'whole rows');
  });

  await t.test('the SQL fold is foldEmail: A-Z only, other letters as they are', async () => {
    const to = 'ÄÖx.Zed@Example.COM';
    const v = verification(svc, { to, channel: 'email' });
    await insert(v);
    assert.equal(foldEmail(to), 'ÄÖx.zed@example.com');
    const found = await stores.verifications.transaction((tx) => tx.lockPendingCaseVariants(svc.sid, foldEmail(to)));
    assert.deepEqual(sids(found), [v.sid]);
    assert.ok(sids(await stores.verifications.transaction((tx) => tx.lockUnfoldedPending())).includes(v.sid));
    const unicodeOnly = verification(svc, { to: 'Éva@example.com', channel: 'email' });
    await insert(unicodeOnly);
    const unfolded = await stores.verifications.transaction((tx) => tx.lockUnfoldedPending());
    assert.ok(!sids(unfolded).includes(unicodeOnly.sid), 'no A-Z to fold: already in its folded form');
  });

  await t.test('setDestination rewrites the verification, its sends and its inbox messages, nothing else', async () => {
    const v = verification(svc, { to: 'Eve@Example.com', channel: 'email' });
    const bystander = verification(svc, { to: 'Eve@Example.org', channel: 'email' });
    await stores.verifications.transaction(async (tx) => {
      for (const x of [v, bystander]) {
        await tx.insertVerification(x);
        await tx.insertSend(send(x));
      }
    });
    await stores.inbox.insertInboxMessage(inboxMessage(v));
    await stores.inbox.insertInboxMessage(inboxMessage(bystander));
    await stores.verifications.transaction((tx) => tx.setDestination(v.sid, 'eve@example.com'));
    assert.equal((await stores.verifications.getVerification(svc.sid, v.sid))?.to, 'eve@example.com');
    assert.deepEqual((await stores.verifications.listSends(v.sid)).map((s) => s.to), ['eve@example.com']);
    assert.deepEqual((await stores.inbox.listInboxMessages(svc.accountSid, { to: 'eve@example.com' }, 10)).map((m) => m.verificationSid), [v.sid]);
    assert.equal((await stores.verifications.getVerification(svc.sid, bystander.sid))?.to, 'Eve@Example.org');
    assert.deepEqual((await stores.verifications.listSends(bystander.sid)).map((s) => s.to), ['Eve@Example.org']);
  });
});
