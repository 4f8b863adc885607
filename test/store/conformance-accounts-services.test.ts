/**
 * Store conformance for AccountStore and ServiceStore. The same assertions run against SQLite and
 * PostgreSQL so the two dialects cannot drift apart; each port has its conformance-*.test.ts
 * (verifications, attempts and the API throttle, SNA and inbox, sinks and the outbox).
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import type { Service } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { T0, account, inboxMessage, send, service, snaSession, statusChange, verification } from './fixtures.js';

forEachBackend('store conformance: accounts and services', async (t, stores) => {
  await t.test('accounts: insert, get, count; unknown sid is undefined', async () => {
    assert.equal(await stores.accounts.countAccounts(), 0);
    const a = account();
    const b = account({ friendlyName: 'Second' });
    await stores.accounts.insertAccount(a);
    await stores.accounts.insertAccount(b);
    assert.deepEqual(await stores.accounts.getAccount(a.sid), a);
    assert.deepEqual(await stores.accounts.getAccount(b.sid), b);
    assert.equal(await stores.accounts.getAccount(newSid('AC')), undefined);
    const n = await stores.accounts.countAccounts();
    assert.equal(typeof n, 'number');
    assert.equal(n, 2);
  });

  await t.test('api keys: insert, get; unknown sid is undefined', async () => {
    const a = account();
    await stores.accounts.insertAccount(a);
    const k = { sid: newSid('SK'), accountSid: a.sid, secretHash: 'ab'.repeat(32), friendlyName: 'ci key', dateCreated: T0 + 5 };
    await stores.accounts.insertApiKey(k);
    assert.deepEqual(await stores.accounts.getApiKey(k.sid), k);
    assert.equal(await stores.accounts.getApiKey(newSid('SK')), undefined);
  });

  await t.test('services: get is scoped by account; update writes name, config and dateUpdated', async () => {
    const acct = newSid('AC');
    const other = newSid('AC');
    const s = service(acct);
    await stores.services.insertService(s);
    assert.deepEqual(await stores.services.getService(acct, s.sid), s);
    assert.equal(await stores.services.getService(other, s.sid), undefined, "another account's sid must not be visible");
    assert.equal(await stores.services.getService(acct, newSid('VA')), undefined);

    const updated: Service = {
      ...s,
      friendlyName: 'Renamed',
      config: { ...s.config, codeLength: 8, customCodeEnabled: true, totp: { ...s.config.totp, issuer: 'Acme' } },
      dateUpdated: T0 + 60_000,
    };
    assert.deepEqual(await stores.services.updateService(acct, s.sid, (cur) => ({ ...cur, ...updated })), updated);
    assert.deepEqual(await stores.services.getService(acct, s.sid), updated);

    // An update naming another account must not touch the row, and says it found nothing.
    const hijack = await stores.services.updateService(other, s.sid, (cur) => ({ ...cur, friendlyName: 'Hijacked' }));
    assert.equal(hijack, undefined);
    assert.equal((await stores.services.getService(acct, s.sid))?.friendlyName, 'Renamed');
    assert.equal(await stores.services.updateService(acct, newSid('VA'), (cur) => cur), undefined);

    // A change that throws leaves the row as it was.
    await assert.rejects(stores.services.updateService(acct, s.sid, () => { throw new Error('invalid'); }), /invalid/);
    assert.deepEqual(await stores.services.getService(acct, s.sid), updated);
  });

  await t.test('listServices: (dateCreated, sid) order, keyset cursor, offset and limit', async () => {
    const acct = newSid('AC');
    // Ties on dateCreated make the sid tiebreak matter; inserted out of order on purpose.
    const dates = [T0 + 3000, T0 + 1000, T0 + 2000, T0 + 2000, T0 + 2000, T0 + 1000];
    const inserted = dates.map((d) => service(acct, { dateCreated: d, dateUpdated: d }));
    for (const s of inserted) await stores.services.insertService(s);
    await stores.services.insertService(service(newSid('AC'), { dateCreated: T0 + 1500 })); // another account's
    const expected = [...inserted].sort((x, y) => x.dateCreated - y.dateCreated || (x.sid < y.sid ? -1 : 1));
    const sids = (list: Service[]) => list.map((s) => s.sid);
    const cursor = (s: Service) => ({ dateCreated: s.dateCreated, sid: s.sid });

    assert.deepEqual(await stores.services.listServices(acct, { offset: 0, limit: 50 }), expected);
    assert.deepEqual(sids(await stores.services.listServices(acct, { offset: 0, limit: 2 })), sids(expected.slice(0, 2)));
    assert.deepEqual(sids(await stores.services.listServices(acct, { offset: 2, limit: 2 })), sids(expected.slice(2, 4)));
    assert.deepEqual(sids(await stores.services.listServices(acct, { offset: 5, limit: 2 })), sids(expected.slice(5)));
    assert.deepEqual(await stores.services.listServices(acct, { offset: 6, limit: 2 }), []);

    // Walking with the cursor visits every service exactly once, across the dateCreated ties.
    const walked: string[] = [];
    let after: { dateCreated: number; sid: string } | undefined;
    for (;;) {
      const page = await stores.services.listServices(acct, { cursor: after, offset: 0, limit: 2 });
      if (page.length === 0) break;
      walked.push(...sids(page));
      after = cursor(page[page.length - 1]!);
    }
    assert.deepEqual(walked, sids(expected));

    // A cursor in the middle of a tie; offset is ignored when a cursor is given.
    const mid = expected[3]!;
    assert.deepEqual(sids(await stores.services.listServices(acct, { cursor: cursor(mid), offset: 0, limit: 50 })), sids(expected.slice(4)));
    assert.deepEqual(sids(await stores.services.listServices(acct, { cursor: cursor(mid), offset: 1, limit: 50 })), sids(expected.slice(4)));
    assert.deepEqual(await stores.services.listServices(acct, { cursor: cursor(expected[5]!), offset: 0, limit: 50 }), []);

    // Backwards (previous pages): the rows just before a cursor, still in listing order, across ties.
    const back = (at: Service, limit: number) => stores.services.listServices(acct, { cursor: cursor(at), back: true, offset: 0, limit });
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
    await stores.services.insertService(doomed);
    await stores.services.insertService(kept);
    const seeded = await Promise.all([doomed, kept].map((s) => seedService(s)));

    assert.equal(await stores.services.deleteService(acct, newSid('VA')), false);
    assert.equal(await stores.services.deleteService(foreign, doomed.sid), false);
    assert.ok(await stores.services.getService(acct, doomed.sid), 'a foreign delete must not remove the service');

    assert.equal(await stores.services.deleteService(acct, doomed.sid), true);
    assert.equal(await stores.services.getService(acct, doomed.sid), undefined);
    assert.equal(await stores.services.deleteService(acct, doomed.sid), false, 'already gone');

    const [gone, left] = seeded as [Seeded, Seeded];
    assert.equal(await stores.verifications.getVerification(doomed.sid, gone.v.sid), undefined);
    assert.equal(await stores.verifications.getPendingByTo(doomed.sid, gone.v.to), undefined);
    assert.deepEqual(await stores.verifications.listSends(gone.v.sid), []);
    assert.deepEqual(await stores.verifications.listChecks(gone.v.sid), []);
    assert.deepEqual(await stores.verifications.listStatusChanges(gone.v.sid), []);
    assert.equal(await stores.sna.findSnaSession(gone.tokenHash), undefined);
    assert.deepEqual(await stores.inbox.listInboxMessages(acct, { serviceSid: doomed.sid }, 10), []);

    assert.deepEqual(await stores.services.getService(acct, kept.sid), kept);
    assert.deepEqual(await stores.verifications.getVerification(kept.sid, left.v.sid), left.v);
    assert.equal((await stores.verifications.listSends(left.v.sid)).length, 1);
    assert.equal((await stores.verifications.listChecks(left.v.sid)).length, 1);
    assert.equal((await stores.verifications.listStatusChanges(left.v.sid)).length, 1);
    assert.ok(await stores.sna.findSnaSession(left.tokenHash));
    assert.equal((await stores.inbox.listInboxMessages(acct, { serviceSid: kept.sid }, 10)).length, 1);
  });

  interface Seeded {
    v: ReturnType<typeof verification>;
    tokenHash: string;
  }

  /** One of every row that hangs off a service. */
  async function seedService(s: Service): Promise<Seeded> {
    const v = verification(s);
    const sna = snaSession(v);
    await stores.verifications.transaction(async (tx) => {
      await tx.insertVerification(v);
      await tx.insertSend(send(v));
      await tx.insertCheck({ verificationSid: v.sid, result: 'FAILURE', dateCreated: T0 });
      await tx.insertStatusChange(statusChange(v));
      await tx.insertSnaSession(sna);
    });
    await stores.inbox.insertInboxMessage(inboxMessage(v));
    return { v, tokenHash: sna.tokenHash };
  }
});
