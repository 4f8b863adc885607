/**
 * Store conformance for the Safe List and geo permissions on SQLite and PostgreSQL: a number is on
 * an account's list once (adding again keeps the first sid), reads and deletes are scoped by
 * account; geo rules are one per account, service and channel, replaced by a later set, and read
 * back as the service's and the account's. A start's admission reading (one statement) sees the
 * geo rules, the Safe List and the pumping guard's reading as their own stores do; the guard's
 * count of an accepted start commits or rolls back with the start's transaction.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { forEachBackend } from '../support/databases.js';
import { pumpingKeys } from '../../src/domain/protection/pumping.js';
import type { Stores } from '../../src/storage/stores.js';
import { T0 } from './fixtures.js';

const TO = '+447700900123';
/** The geo part of a start's admission reading. */
const geoRules = async (stores: Stores, accountSid: string, serviceSid: string, channel: string) =>
  (await stores.admission.readAdmission({ accountSid, serviceSid, channel, to: TO, pumping: null, now: T0 })).geo;

forEachBackend('store conformance: safe list and geo permissions', async (t, stores) => {
  await t.test('safe list: add is idempotent, get and delete are scoped by account', async () => {
    const acct = newSid('AC');
    const other = newSid('AC');
    const first = { sid: newSid('GN'), accountSid: acct, phoneNumber: '+447700900123', dateCreated: T0 };
    assert.deepEqual(await stores.safeList.addSafeNumber(first), first);
    assert.deepEqual(await stores.safeList.addSafeNumber({ ...first, sid: newSid('GN'), dateCreated: T0 + 5 }), first, 'the first entry stays');
    assert.deepEqual(await stores.safeList.getSafeNumber(acct, first.phoneNumber), first);
    assert.equal(await stores.safeList.getSafeNumber(other, first.phoneNumber), undefined);
    assert.equal(await stores.safeList.deleteSafeNumber(other, first.phoneNumber), false);
    const theirs = { sid: newSid('GN'), accountSid: other, phoneNumber: first.phoneNumber, dateCreated: T0 };
    assert.deepEqual(await stores.safeList.addSafeNumber(theirs), theirs, 'another account lists the same number on its own');
    assert.equal(await stores.safeList.deleteSafeNumber(acct, first.phoneNumber), true);
    assert.equal(await stores.safeList.getSafeNumber(acct, first.phoneNumber), undefined);
    assert.deepEqual(await stores.safeList.getSafeNumber(other, first.phoneNumber), theirs);
    assert.equal(await stores.safeList.deleteSafeNumber(acct, first.phoneNumber), false);
  });

  await t.test('geo rules: one per account, service and channel; set replaces; read as service and account; clear', async () => {
    const acct = newSid('AC');
    const va = newSid('VA');
    const account = { accountSid: acct, serviceSid: null };
    const service = { accountSid: acct, serviceSid: va };
    assert.deepEqual(await geoRules(stores, acct, va, 'sms'), {});
    await stores.geoPermissions.setGeoRule(account, 'sms', { mode: 'block', countries: ['CU', 'IR'] }, T0);
    await stores.geoPermissions.setGeoRule(service, 'sms', { mode: 'allow', countries: ['GB'] }, T0);
    await stores.geoPermissions.setGeoRule(service, 'sms', { mode: 'allow', countries: ['GB', 'US'] }, T0 + 1);
    await stores.geoPermissions.setGeoRule(account, 'call', { mode: 'allow', countries: ['US'] }, T0);
    assert.deepEqual(await geoRules(stores, acct, va, 'sms'), {
      service: { mode: 'allow', countries: ['GB', 'US'] },
      account: { mode: 'block', countries: ['CU', 'IR'] },
    });
    assert.deepEqual(await geoRules(stores, acct, newSid('VA'), 'sms'), { account: { mode: 'block', countries: ['CU', 'IR'] } });
    assert.deepEqual(await geoRules(stores, newSid('AC'), va, 'sms'), {}, 'another account sees none');
    assert.deepEqual(await stores.geoPermissions.listGeoRules(acct), [
      { serviceSid: null, channel: 'call', rule: { mode: 'allow', countries: ['US'] } },
      { serviceSid: null, channel: 'sms', rule: { mode: 'block', countries: ['CU', 'IR'] } },
      { serviceSid: va, channel: 'sms', rule: { mode: 'allow', countries: ['GB', 'US'] } },
    ]);
    assert.equal(await stores.geoPermissions.clearGeoRule(service, 'sms'), true);
    assert.equal(await stores.geoPermissions.clearGeoRule(service, 'sms'), false);
    assert.deepEqual(await geoRules(stores, acct, va, 'sms'), { account: { mode: 'block', countries: ['CU', 'IR'] } });
  });

  await t.test('admission: the Safe List by account, the guard reading as readPumping has it, counted in the read where the store says so', async () => {
    const acct = newSid('AC');
    const va = newSid('VA');
    const keys = pumpingKeys(TO);
    const counts = async () => (await stores.pumping.readPumping(va, keys, T0)).counts;
    const read = (accountSid: string, to: string, defaultLevel: 'off' | 'standard' = 'standard') =>
      stores.admission.readAdmission({ accountSid, serviceSid: va, channel: 'sms', to, pumping: { keys, defaultLevel }, now: T0 });
    const before = await stores.pumping.readPumping(va, keys, T0);
    assert.deepEqual(await read(acct, TO, 'off'), { geo: {}, safeListed: false, pumping: before });
    assert.deepEqual([(await counts()).rangeStarts, (await counts()).recentStarts], [0, 0], 'a service at off is not counted');
    // The read's sums never include the start it counts.
    assert.deepEqual(await read(acct, TO), { geo: {}, safeListed: false, pumping: before });
    const once = stores.admission.countsInRead ? 1 : 0;
    assert.deepEqual([(await counts()).rangeStarts, (await counts()).recentStarts], [once, once], `countsInRead: ${stores.admission.countsInRead}`);
    await stores.safeList.addSafeNumber({ sid: newSid('GN'), accountSid: acct, phoneNumber: TO, dateCreated: T0 });
    assert.equal((await read(acct, TO)).safeListed, true);
    assert.deepEqual([(await counts()).rangeStarts, (await counts()).recentStarts], [once, once], 'a safe-listed number is not counted');
    assert.equal((await read(newSid('AC'), TO)).safeListed, false, "another account's list");
    assert.equal((await read(acct, '+447700900124')).safeListed, false);
    await stores.pumping.countStart(va, keys, true, T0);
    await stores.pumping.countApproval(va, keys.prefix, T0);
    const reading = await stores.pumping.readPumping(va, keys, T0);
    const counted = await read(acct, '+447700900125');
    assert.deepEqual(counted.pumping, reading);
    assert.equal((await stores.admission.readAdmission({ accountSid: acct, serviceSid: va, channel: 'sms', to: TO, pumping: null, now: T0 })).pumping, undefined);
  });

  await t.test('uncountStart takes a start back off its prefix, and off its range when asked', async () => {
    const va = newSid('VA');
    const keys = pumpingKeys(TO);
    const counts = async () => {
      const c = (await stores.pumping.readPumping(va, keys, T0)).counts;
      return [c.recentStarts, c.rangeStarts];
    };
    await stores.pumping.countStart(va, keys, true, T0);
    await stores.pumping.countStart(va, keys, true, T0);
    await stores.pumping.uncountStart(va, keys, false, T0);
    assert.deepEqual(await counts(), [1, 2]);
    await stores.pumping.uncountStart(va, keys, true, T0);
    assert.deepEqual(await counts(), [0, 1]);
  });

  await t.test("the guard's count in a start's transaction commits and rolls back with it", async () => {
    const va = newSid('VA');
    const keys = pumpingKeys(TO);
    const counts = async () => (await stores.pumping.readPumping(va, keys, T0)).counts;
    await assert.rejects(
      stores.verifications.transaction(async (tx) => {
        await tx.countPumpingStart(va, keys, T0);
        throw new Error('refused later in the start');
      }),
      /refused later/,
    );
    assert.deepEqual([(await counts()).rangeStarts, (await counts()).recentStarts], [0, 0]);
    await stores.verifications.transaction((tx) => tx.countPumpingStart(va, keys, T0));
    assert.deepEqual([(await counts()).rangeStarts, (await counts()).recentStarts], [1, 1]);
  });
});
