/**
 * Store conformance for MessagingConfigurationStore on SQLite and PostgreSQL: one configuration per
 * service and country (a second insert is refused, not an error), round-trips, paging in
 * (dateCreated, sid) order, updates and deletes by country, the profile lookup (the country's own,
 * else `all`), and the configurations going with their service.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import type { MessagingConfiguration } from '../../src/domain/ports.js';
import { forEachBackend } from '../support/databases.js';
import { account, service, T0 } from './fixtures.js';

const MG1 = `MG${'1'.repeat(32)}`;
const MG2 = `MG${'2'.repeat(32)}`;

forEachBackend('store conformance: messaging configurations', async (t, stores) => {
  const store = stores.messagingConfigurations;
  const serviceOf = async () => {
    const a = account();
    await stores.accounts.insertAccount(a);
    const s = service(a.sid);
    await stores.services.insertService(s);
    return s;
  };
  const config = (s: { sid: string; accountSid: string }, country: string, over: Partial<MessagingConfiguration> = {}): MessagingConfiguration => ({
    sid: newSid('MC'), accountSid: s.accountSid, serviceSid: s.sid, country, messagingServiceSid: MG1, dateCreated: T0, dateUpdated: T0, ...over,
  });

  await t.test('insert round-trips; a second one for the same service and country is refused', async () => {
    const s = await serviceOf();
    const gb = config(s, 'GB');
    assert.equal(await store.insertMessagingConfiguration(gb), true);
    assert.deepEqual(await store.getMessagingConfiguration(s.sid, 'GB'), gb);
    assert.equal(await store.insertMessagingConfiguration(config(s, 'GB', { messagingServiceSid: MG2 })), false);
    assert.equal((await store.getMessagingConfiguration(s.sid, 'GB'))?.messagingServiceSid, MG1);
    assert.equal(await store.getMessagingConfiguration(s.sid, 'FR'), undefined);
    // Another service may have its own for the same country.
    const other = await serviceOf();
    assert.equal(await store.insertMessagingConfiguration(config(other, 'GB')), true);
  });

  await t.test('list pages in (dateCreated, sid) order, by offset and by cursor, one service only', async () => {
    const s = await serviceOf();
    const rows = [config(s, 'all', { dateCreated: T0 + 20 }), config(s, 'GB', { dateCreated: T0 + 10 }), config(s, 'US', { dateCreated: T0 + 30 })];
    for (const r of rows) await store.insertMessagingConfiguration(r);
    const ordered = ['GB', 'all', 'US'];
    assert.deepEqual((await store.listMessagingConfigurations(s.sid, { offset: 0, limit: 10, back: false })).map((c) => c.country), ordered);
    assert.deepEqual((await store.listMessagingConfigurations(s.sid, { offset: 1, limit: 1, back: false })).map((c) => c.country), ['all']);
    const gb = rows[1]!;
    const after = await store.listMessagingConfigurations(s.sid, { cursor: { dateCreated: gb.dateCreated, sid: gb.sid }, offset: 0, limit: 10, back: false });
    assert.deepEqual(after.map((c) => c.country), ['all', 'US']);
  });

  await t.test('update and delete by country; the profile is the country own, else all, else none', async () => {
    const s = await serviceOf();
    assert.equal(await store.profileFor(s.sid, 'GB'), null);
    await store.insertMessagingConfiguration(config(s, 'all'));
    assert.equal(await store.profileFor(s.sid, 'GB'), MG1);
    assert.equal(await store.profileFor(s.sid, null), MG1);
    await store.insertMessagingConfiguration(config(s, 'GB', { messagingServiceSid: MG2 }));
    assert.equal(await store.profileFor(s.sid, 'GB'), MG2);
    const updated = await store.updateMessagingConfiguration(s.sid, 'all', MG2, T0 + 5);
    assert.deepEqual([updated?.messagingServiceSid, updated?.dateUpdated, updated?.dateCreated], [MG2, T0 + 5, T0]);
    assert.equal(await store.updateMessagingConfiguration(s.sid, 'FR', MG2, T0 + 5), undefined);
    assert.equal(await store.deleteMessagingConfiguration(s.sid, 'GB'), true);
    assert.equal(await store.deleteMessagingConfiguration(s.sid, 'GB'), false);
    assert.equal(await store.profileFor(s.sid, 'GB'), MG2, 'all again');
  });

  await t.test("a service's configurations go with it", async () => {
    const s = await serviceOf();
    await store.insertMessagingConfiguration(config(s, 'all'));
    await stores.services.deleteService(s.accountSid, s.sid);
    assert.equal(await store.getMessagingConfiguration(s.sid, 'all'), undefined);
  });
});
