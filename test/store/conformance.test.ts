/**
 * Store conformance, part 1: accounts, API keys and services. The same assertions run against
 * SQLite and PostgreSQL so the two dialects cannot drift apart. Parts 2 and 3 are
 * conformance-verifications.test.ts and conformance-sna-inbox.test.ts.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import type { Service } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { T0, account, inboxMessage, send, service, snaSession, statusChange, verification } from './fixtures.js';

forEachBackend('store conformance: accounts and services', async (t, store) => {
  await t.test('accounts: insert, get, count; unknown sid is undefined', async () => {
    assert.equal(await store.countAccounts(), 0);
    const a = account();
    const b = account({ friendlyName: 'Second' });
    await store.insertAccount(a);
    await store.insertAccount(b);
    assert.deepEqual(await store.getAccount(a.sid), a);
    assert.deepEqual(await store.getAccount(b.sid), b);
    assert.equal(await store.getAccount(newSid('AC')), undefined);
    const n = await store.countAccounts();
    assert.equal(typeof n, 'number');
    assert.equal(n, 2);
  });

  await t.test('api keys: insert, get; unknown sid is undefined', async () => {
    const a = account();
    await store.insertAccount(a);
    const k = { sid: newSid('SK'), accountSid: a.sid, secretHash: 'ab'.repeat(32), friendlyName: 'ci key', dateCreated: T0 + 5 };
    await store.insertApiKey(k);
    assert.deepEqual(await store.getApiKey(k.sid), k);
    assert.equal(await store.getApiKey(newSid('SK')), undefined);
  });

  await t.test('services: get is scoped by account; update writes name, config and dateUpdated', async () => {
    const acct = newSid('AC');
    const other = newSid('AC');
    const s = service(acct);
    await store.insertService(s);
    assert.deepEqual(await store.getService(acct, s.sid), s);
    assert.equal(await store.getService(other, s.sid), undefined, "another account's sid must not be visible");
    assert.equal(await store.getService(acct, newSid('VA')), undefined);

    const updated: Service = {
      ...s,
      friendlyName: 'Renamed',
      config: { ...s.config, codeLength: 8, customCodeEnabled: true, totp: { ...s.config.totp, issuer: 'Acme' } },
      dateUpdated: T0 + 60_000,
    };
    assert.deepEqual(await store.updateService(acct, s.sid, (cur) => ({ ...cur, ...updated })), updated);
    assert.deepEqual(await store.getService(acct, s.sid), updated);

    // An update naming another account must not touch the row, and says it found nothing.
    const hijack = await store.updateService(other, s.sid, (cur) => ({ ...cur, friendlyName: 'Hijacked' }));
    assert.equal(hijack, undefined);
    assert.equal((await store.getService(acct, s.sid))?.friendlyName, 'Renamed');
    assert.equal(await store.updateService(acct, newSid('VA'), (cur) => cur), undefined);

    // A change that throws leaves the row as it was.
    await assert.rejects(store.updateService(acct, s.sid, () => { throw new Error('invalid'); }), /invalid/);
    assert.deepEqual(await store.getService(acct, s.sid), updated);
  });

  await t.test('listServices: (dateCreated, sid) order, keyset cursor, offset and limit', async () => {
    const acct = newSid('AC');
    // Ties on dateCreated make the sid tiebreak matter; inserted out of order on purpose.
    const dates = [T0 + 3000, T0 + 1000, T0 + 2000, T0 + 2000, T0 + 2000, T0 + 1000];
    const inserted = dates.map((d) => service(acct, { dateCreated: d, dateUpdated: d }));
    for (const s of inserted) await store.insertService(s);
    await store.insertService(service(newSid('AC'), { dateCreated: T0 + 1500 })); // another account's
    const expected = [...inserted].sort((x, y) => x.dateCreated - y.dateCreated || (x.sid < y.sid ? -1 : 1));
    const sids = (list: Service[]) => list.map((s) => s.sid);
    const cursor = (s: Service) => ({ dateCreated: s.dateCreated, sid: s.sid });

    assert.deepEqual(await store.listServices(acct, { offset: 0, limit: 50 }), expected);
    assert.deepEqual(sids(await store.listServices(acct, { offset: 0, limit: 2 })), sids(expected.slice(0, 2)));
    assert.deepEqual(sids(await store.listServices(acct, { offset: 2, limit: 2 })), sids(expected.slice(2, 4)));
    assert.deepEqual(sids(await store.listServices(acct, { offset: 5, limit: 2 })), sids(expected.slice(5)));
    assert.deepEqual(await store.listServices(acct, { offset: 6, limit: 2 }), []);

    // Walking with the cursor visits every service exactly once, across the dateCreated ties.
    const walked: string[] = [];
    let after: { dateCreated: number; sid: string } | undefined;
    for (;;) {
      const page = await store.listServices(acct, { cursor: after, offset: 0, limit: 2 });
      if (page.length === 0) break;
      walked.push(...sids(page));
      after = cursor(page[page.length - 1]!);
    }
    assert.deepEqual(walked, sids(expected));

    // A cursor in the middle of a tie; offset is ignored when a cursor is given.
    const mid = expected[3]!;
    assert.deepEqual(sids(await store.listServices(acct, { cursor: cursor(mid), offset: 0, limit: 50 })), sids(expected.slice(4)));
    assert.deepEqual(sids(await store.listServices(acct, { cursor: cursor(mid), offset: 1, limit: 50 })), sids(expected.slice(4)));
    assert.deepEqual(await store.listServices(acct, { cursor: cursor(expected[5]!), offset: 0, limit: 50 }), []);

    // Backwards (previous pages): the rows just before a cursor, still in listing order, across ties.
    const back = (at: Service, limit: number) => store.listServices(acct, { cursor: cursor(at), back: true, offset: 0, limit });
    assert.deepEqual(sids(await back(mid, 2)), sids(expected.slice(1, 3)));
    assert.deepEqual(sids(await back(mid, 50)), sids(expected.slice(0, 3)));
    assert.deepEqual(await back(expected[0]!, 50), []);
    const walkedBack: string[] = [expected[5]!.sid];
    for (let at = expected[5]!; ; ) {
      const page = await back(at, 2);
      if (page.length === 0) break;
      walkedBack.unshift(...sids(page));
      at = page[0]!;
    }
    assert.deepEqual(walkedBack, sids(expected), 'walking back visits every service once');
  });

  await t.test("deleteService: false for unknown or foreign, cascades to that service's rows only", async () => {
    const acct = newSid('AC');
    const foreign = newSid('AC');
    const [doomed, kept] = [service(acct), service(acct)];
    await store.insertService(doomed);
    await store.insertService(kept);
    const seeded = await Promise.all([doomed, kept].map((s) => seedService(s)));

    assert.equal(await store.deleteService(acct, newSid('VA')), false);
    assert.equal(await store.deleteService(foreign, doomed.sid), false);
    assert.ok(await store.getService(acct, doomed.sid), 'a foreign delete must not remove the service');

    assert.equal(await store.deleteService(acct, doomed.sid), true);
    assert.equal(await store.getService(acct, doomed.sid), undefined);
    assert.equal(await store.deleteService(acct, doomed.sid), false, 'already gone');

    const [gone, left] = seeded as [Seeded, Seeded];
    assert.equal(await store.getVerification(doomed.sid, gone.v.sid), undefined);
    assert.equal(await store.getPendingByTo(doomed.sid, gone.v.to), undefined);
    assert.deepEqual(await store.listSends(gone.v.sid), []);
    assert.deepEqual(await store.listChecks(gone.v.sid), []);
    assert.deepEqual(await store.listStatusChanges(gone.v.sid), []);
    assert.equal(await store.findSnaSession(gone.tokenHash), undefined);
    assert.deepEqual(await store.listInboxMessages(acct, { serviceSid: doomed.sid }, 10), []);

    assert.deepEqual(await store.getService(acct, kept.sid), kept);
    assert.deepEqual(await store.getVerification(kept.sid, left.v.sid), left.v);
    assert.equal((await store.listSends(left.v.sid)).length, 1);
    assert.equal((await store.listChecks(left.v.sid)).length, 1);
    assert.equal((await store.listStatusChanges(left.v.sid)).length, 1);
    assert.ok(await store.findSnaSession(left.tokenHash));
    assert.equal((await store.listInboxMessages(acct, { serviceSid: kept.sid }, 10)).length, 1);
  });

  interface Seeded {
    v: ReturnType<typeof verification>;
    tokenHash: string;
  }

  /** One of every row that hangs off a service. */
  async function seedService(s: Service): Promise<Seeded> {
    const v = verification(s);
    const sna = snaSession(v);
    await store.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(send(v));
      await tx.insertCheck({ verificationSid: v.sid, result: 'FAILURE', dateCreated: T0 });
      await tx.insertStatusChange(statusChange(v));
      await tx.insertSnaSession(sna);
    });
    await store.insertInboxMessage(inboxMessage(v));
    return { v, tokenHash: sna.tokenHash };
  }
});
