/**
 * Migration 006 and the start-up step after it (normalizeEmailDestinations, run by compose): rows
 * that older versions stored with e-mail addresses as given are folded to lower case, and of two
 * pending case variants of one address the newest stays pending while the older is canceled through
 * transition(), with its status-change row and its Event Streams event. Idempotent, and two
 * concurrent runs settle an address once. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/domain/clock.js';
import { STATUS_EVENT_TYPES } from '../../src/domain/events/catalog.js';
import { newSid } from '../../src/domain/ids.js';
import type { VerificationStore, VerificationTx } from '../../src/domain/ports.js';
import type { Verification } from '../../src/domain/types.js';
import { normalizeEmailDestinations } from '../../src/domain/verification/normalize-destinations.js';
import { connectStores, type StorageConfig } from '../../src/storage/open.js';
import type { Stores } from '../../src/storage/stores.js';
import { BACKENDS, emptyDatabase } from '../support/databases.js';
import { composeForTest } from '../support/server.js';
import { FAR, T0, inboxMessage, send, service, sink, statusChange, subscription, verification } from './fixtures.js';

const NOW = T0 + 60_000;
const CANCELED = STATUS_EVENT_TYPES.canceled;

/** Writes verifications with a send, a status change and an inbox message each, as a version before the fold did. */
async function writeAsBefore(stores: Stores, vs: Verification[]): Promise<void> {
  await stores.verifications.transaction(async (tx) => {
    for (const v of vs) {
      await tx.insertVerification(v);
      await tx.insertSend(send(v, { dateCreated: v.dateCreated }));
      await tx.insertStatusChange(statusChange(v, { dateCreated: v.dateCreated }));
    }
  });
  for (const v of vs) await stores.inbox.insertInboxMessage(inboxMessage(v));
}

const email = (svc: ReturnType<typeof service>, to: string, over: Partial<Verification> = {}) =>
  verification(svc, { to, channel: 'email', country: null, expiresAt: FAR, ...over });

for (const { name } of BACKENDS) {
  test(`migration 006 folds e-mail addresses and settles pending case variants [${name}]`, async (t) => {
    const db = await emptyDatabase(name);
    if ('skip' in db) {
      t.skip(db.skip);
      return;
    }
    const accountSid = newSid('AC');
    const svc = service(accountSid, { config: { ...service(accountSid).config, verifyEventSubscriptionEnabled: true } });
    const other = service(accountSid);
    // victim: the newest variant is the mixed-case one. Bob: both variants mixed case. Carol alone.
    const victimOld = email(svc, 'victim@example.com', { dateCreated: T0 });
    const victimNew = email(svc, 'Victim@Example.com', { dateCreated: T0 + 1000 });
    const bobOld = email(svc, 'Bob@Example.com', { dateCreated: T0 });
    const bobNew = email(svc, 'BOB@example.com', { dateCreated: T0 + 1 });
    const carol = email(svc, 'Carol@Example.com');
    const lockedOut = email(svc, 'Dan@Example.com', { status: 'max_attempts_reached' });
    // The older variant's validity is over: it is expired on sight, not canceled.
    const leeLapsed = email(svc, 'Lee@Example.com', { dateCreated: T0, expiresAt: T0 + 1 });
    const lee = email(svc, 'lee@example.com', { dateCreated: T0 + 2 });
    const sameInOther = email(other, 'VICTIM@example.com');
    const phone = verification(svc, { to: '+15017122661' });
    const all = [victimOld, victimNew, bobOld, bobNew, carol, lockedOut, leeLapsed, lee, sameInOther, phone];

    let old: Stores | undefined = connectStores(db.cfg as StorageConfig);
    let c: Awaited<ReturnType<typeof composeForTest>> | undefined;
    try {
      await old.migrate('005-event-streams');
      await old.services.insertService(svc);
      await old.services.insertService(other);
      const hook = sink(accountSid);
      await old.sinks.insertSink(hook);
      const sub = subscription(hook);
      await old.sinks.insertSubscription(sub, [{ subscriptionSid: sub.sid, accountSid, type: CANCELED, schemaVersion: 2 }]);
      await writeAsBefore(old, all);
      await old.close();
      old = undefined;

      c = await composeForTest({ clock: new ManualClock(new Date(NOW)) }, db.env);
      const { verifications: store, inbox } = c.stores;
      const get = async (v: Verification) => (await store.getVerification(v.serviceSid, v.sid))!;

      await t.test('every e-mail address is folded: verifications, sends, inbox messages', async () => {
        for (const v of all) {
          const to = v.to.includes('@') ? v.to.toLowerCase() : v.to;
          assert.equal((await get(v)).to, to, v.to);
          assert.deepEqual((await store.listSends(v.sid)).map((s) => s.to), [to], v.to);
        }
        const messages = await inbox.listInboxMessages(accountSid, {}, 100);
        assert.equal(messages.length, all.length);
        assert.ok(messages.every((m) => m.to === m.to.toLowerCase()));
      });

      await t.test('of two pending variants the newest stays pending; the older is canceled through transition()', async () => {
        assert.equal((await store.getPendingByTo(svc.sid, 'victim@example.com'))?.sid, victimNew.sid);
        assert.equal((await store.getPendingByTo(svc.sid, 'bob@example.com'))?.sid, bobNew.sid);
        for (const older of [victimOld, bobOld]) {
          assert.equal((await get(older)).status, 'canceled');
          const history = await store.listStatusChanges(older.sid);
          assert.deepEqual(history.slice(1), [{ ...statusChange(older), fromStatus: 'pending', toStatus: 'canceled', cause: 'normalize', dateCreated: NOW }]);
        }
        for (const newer of [victimNew, bobNew, carol, lee]) assert.equal((await store.listStatusChanges(newer.sid)).length, 1, 'untouched');
        assert.equal((await get(sameInOther)).status, 'pending', 'another service is another destination');
      });

      await t.test('the cancel is published like any cancel', async () => {
        const claimed = await c!.stores.outbox.claimDeliveries(NOW, NOW + 60_000, 100);
        const canceled = claimed.filter((d) => d.event.type === CANCELED);
        assert.deepEqual(canceled.map((d) => d.event.partitionKey).sort(), [victimOld.sid, bobOld.sid].sort());
        for (const d of canceled) {
          const data = d.event.payload.data as { verification_status: string; to: string };
          assert.equal(data.verification_status, 'CANCELED');
          assert.equal(data.to, data.to.toLowerCase(), 'the address as stored from now on');
        }
      });

      await t.test('a lapsed older variant is expired, as on any sight', async () => {
        assert.equal((await get(leeLapsed)).status, 'expired');
        assert.equal((await store.listStatusChanges(leeLapsed.sid))[1]?.cause, 'expiry');
        assert.equal((await get(lee)).status, 'pending');
      });

      await t.test('a second run finds nothing to do', async () => {
        assert.equal(await normalizeEmailDestinations(store, c!.clock), 0);
        assert.equal((await store.listStatusChanges(victimOld.sid)).length, 2);
      });

      await t.test('variants written after the migration (an older node still running) are settled once by concurrent runs', async () => {
        const a = email(svc, 'Zed@Example.com', { dateCreated: T0 });
        const b = email(svc, 'zED@example.com', { dateCreated: T0 + 1 });
        await writeAsBefore(c!.stores, [a, b]);
        const runs = await Promise.all([1, 2, 3].map(() => normalizeEmailDestinations(store, c!.clock)));
        assert.equal(runs.reduce((x, y) => x + y, 0), 1);
        assert.equal((await get(a)).status, 'canceled');
        assert.equal((await store.listStatusChanges(a.sid)).length, 2);
        assert.equal((await store.getPendingByTo(svc.sid, 'zed@example.com'))?.sid, b.sid);
      });

      await t.test('a start storing the folded address meanwhile is kept: the step runs again', { skip: name === 'sqlite' && 'SQLite serialises transactions' }, async () => {
        const a = email(svc, 'Kim@Example.com', { dateCreated: T0 });
        await writeAsBefore(c!.stores, [a]);
        const racer = email(svc, 'kim@example.com', { dateCreated: NOW });
        let raced = false;
        // Another node's start commits the folded address just before this step folds `a`.
        const racing = Object.assign(Object.create(store) as VerificationStore, {
          transaction: <T>(fn: (tx: VerificationTx) => Promise<T>) =>
            store.transaction((tx) =>
              fn(Object.assign(Object.create(tx) as VerificationTx, {
                async setDestination(sid: string, to: string) {
                  if (!raced) await store.transaction((other) => other.insertVerification(racer));
                  raced = true;
                  return tx.setDestination(sid, to);
                },
              })),
            ),
        });
        assert.equal(await normalizeEmailDestinations(racing, c!.clock), 1);
        assert.ok(raced);
        assert.equal((await get(a)).status, 'canceled');
        assert.equal((await get(a)).to, 'kim@example.com');
        assert.equal((await store.getPendingByTo(svc.sid, 'kim@example.com'))?.sid, racer.sid);
      });
    } finally {
      await old?.close();
      await c?.close();
      await db.cleanup();
    }
  });
}
