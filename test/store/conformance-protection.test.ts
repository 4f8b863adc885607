/**
 * Store conformance for the Safe List and geo permissions on SQLite and PostgreSQL: a number is on
 * an account's list once (adding again keeps the first sid), reads and deletes are scoped by
 * account; geo rules are one per account, service and channel, replaced by a later set, and read
 * back as the service's and the account's.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { forEachBackend } from '../support/databases.js';
import { T0 } from './fixtures.js';

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
    assert.deepEqual(await stores.geoPermissions.geoRulesFor(acct, va, 'sms'), {});
    await stores.geoPermissions.setGeoRule(account, 'sms', { mode: 'block', countries: ['CU', 'IR'] }, T0);
    await stores.geoPermissions.setGeoRule(service, 'sms', { mode: 'allow', countries: ['GB'] }, T0);
    await stores.geoPermissions.setGeoRule(service, 'sms', { mode: 'allow', countries: ['GB', 'US'] }, T0 + 1);
    await stores.geoPermissions.setGeoRule(account, 'call', { mode: 'allow', countries: ['US'] }, T0);
    assert.deepEqual(await stores.geoPermissions.geoRulesFor(acct, va, 'sms'), {
      service: { mode: 'allow', countries: ['GB', 'US'] },
      account: { mode: 'block', countries: ['CU', 'IR'] },
    });
    assert.deepEqual(await stores.geoPermissions.geoRulesFor(acct, newSid('VA'), 'sms'), { account: { mode: 'block', countries: ['CU', 'IR'] } });
    assert.deepEqual(await stores.geoPermissions.geoRulesFor(newSid('AC'), va, 'sms'), {}, 'another account sees none');
    assert.deepEqual(await stores.geoPermissions.listGeoRules(acct), [
      { serviceSid: null, channel: 'call', rule: { mode: 'allow', countries: ['US'] } },
      { serviceSid: null, channel: 'sms', rule: { mode: 'block', countries: ['CU', 'IR'] } },
      { serviceSid: va, channel: 'sms', rule: { mode: 'allow', countries: ['GB', 'US'] } },
    ]);
    assert.equal(await stores.geoPermissions.clearGeoRule(service, 'sms'), true);
    assert.equal(await stores.geoPermissions.clearGeoRule(service, 'sms'), false);
    assert.deepEqual(await stores.geoPermissions.geoRulesFor(acct, va, 'sms'), { account: { mode: 'block', countries: ['CU', 'IR'] } });
  });
});
