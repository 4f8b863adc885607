/** Store conformance for SnaStore (single use) and InboxStore, on both backends. */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import type { InboxMessage } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { T0, inboxMessage, service, snaSession, verification } from './fixtures.js';

forEachBackend('store conformance: sna sessions and inbox', async (t, stores) => {
  await t.test('SNA session: find, use exactly once, never after expiry', async () => {
    const svc = service(newSid('AC'));
    await stores.services.insertService(svc);
    const v = verification(svc);
    const now = T0 + 1000;
    const live = snaSession(v, { expiresAt: now + 60_000 });
    const newer = snaSession(v, { expiresAt: now + 120_000 });
    const lapsed = snaSession(v, { expiresAt: now });
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      for (const s of [live, newer, lapsed]) await tx.insertSnaSession(s);
    });
    assert.deepEqual(await stores.sna.findSnaSession(live.tokenHash), live);
    assert.equal(await stores.sna.findSnaSession('no-such-token'), undefined);
    await stores.verifications.transaction(async (tx) => {
      assert.deepEqual(await tx.latestSnaSession(v.sid), newer, 'latest = the one expiring last');
      assert.equal(await tx.latestSnaSession(newSid('VE')), undefined);
    });

    assert.equal(await stores.sna.useSnaSession(live.tokenHash, now, 'client-hash'), true);
    assert.deepEqual(await stores.sna.findSnaSession(live.tokenHash), { ...live, usedAt: now, clientTokenHash: 'client-hash' });
    assert.equal(await stores.sna.useSnaSession(live.tokenHash, now + 1, null), false, 'second use');
    assert.deepEqual(await stores.sna.findSnaSession(live.tokenHash), { ...live, usedAt: now, clientTokenHash: 'client-hash' }, 'unchanged by the refused use');

    assert.equal(await stores.sna.useSnaSession(lapsed.tokenHash, now, null), false, 'expiresAt is exclusive');
    assert.equal((await stores.sna.findSnaSession(lapsed.tokenHash))?.usedAt, null);
    assert.equal(await stores.sna.useSnaSession('no-such-token', now, null), false);

    // Two uses racing: exactly one wins.
    const raced = await Promise.all([stores.sna.useSnaSession(newer.tokenHash, now, null), stores.sna.useSnaSession(newer.tokenHash, now, null)]);
    assert.deepEqual(raced.sort(), [false, true]);
  });

  await t.test('inbox: newest first, filtered by to, channel and service, scoped by account', async () => {
    const acct = newSid('AC');
    const [s1, s2] = [service(acct), service(acct)];
    const v1 = verification(s1!, { to: '+15017120201' });
    const v2 = verification(s1!, { to: 'someone@example.com', channel: 'email' });
    const v3 = verification(s2!, { to: '+15017120201' });
    const foreignService = service(newSid('AC'));
    const foreign = verification(foreignService, { to: '+15017120201' });
    // Inbox messages belong to a verification, which belongs to a service (foreign keys).
    for (const svc of [s1!, s2!, foreignService]) await stores.services.insertService(svc);
    await stores.verifications.transaction(async (tx) => {
      for (const v of [v1, v2, v3, foreign]) await tx.insertVerification(v);
    });
    const msgs: InboxMessage[] = [
      inboxMessage(v1, { dateCreated: T0 + 1 }),
      inboxMessage(v2, { subject: 'Your code', dateCreated: T0 + 2 }),
      inboxMessage(v3, { channel: 'whatsapp', dateCreated: T0 + 3 }),
      inboxMessage(v1, { dateCreated: T0 + 4, code: '654321' }),
    ];
    for (const m of msgs) await stores.inbox.insertInboxMessage(m);
    await stores.inbox.insertInboxMessage(inboxMessage(foreign));

    const all = await stores.inbox.listInboxMessages(acct, {}, 50);
    for (const m of all) assert.equal(typeof m.id, 'number');
    // ids are assigned by the database; compare without them, then check they descend.
    const strip = (list: InboxMessage[]) => list.map(({ id: _id, ...rest }) => rest);
    assert.deepEqual(strip(all), strip([...msgs].reverse()));
    const ids = all.map((m) => m.id!);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));

    const [m0, m1, m2, m3] = msgs as [InboxMessage, InboxMessage, InboxMessage, InboxMessage];
    assert.deepEqual(strip(await stores.inbox.listInboxMessages(acct, { to: '+15017120201' }, 50)), strip([m3, m2, m0]));
    assert.deepEqual(strip(await stores.inbox.listInboxMessages(acct, { channel: 'email' }, 50)), strip([m1]));
    assert.deepEqual(strip(await stores.inbox.listInboxMessages(acct, { serviceSid: s1!.sid }, 50)), strip([m3, m1, m0]));
    assert.deepEqual(strip(await stores.inbox.listInboxMessages(acct, { to: '+15017120201', channel: 'sms', serviceSid: s1!.sid }, 50)), strip([m3, m0]));
    assert.deepEqual(strip(await stores.inbox.listInboxMessages(acct, { channel: 'call' }, 50)), []);
    assert.deepEqual(strip(await stores.inbox.listInboxMessages(acct, {}, 2)), strip([m3, m2]), 'limit keeps the newest');

    const theirs = await stores.inbox.listInboxMessages(foreign.accountSid, {}, 50);
    assert.deepEqual(theirs.map((m) => m.verificationSid), [foreign.sid]);
    assert.deepEqual(await stores.inbox.listInboxMessages(newSid('AC'), {}, 50), []);
  });
});
