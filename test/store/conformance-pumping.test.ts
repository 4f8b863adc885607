/**
 * Store conformance for the SMS-pumping guard on SQLite and PostgreSQL: a service's level is one
 * row (set replaces, clear forgets, a deleted service takes it along); the per-minute counters sum
 * over the windows the guard reads (range: 5 minutes; prefix: recent 10, baseline the hour before,
 * lagged starts and approvals), blocked starts count on the range only; blocks are counted per
 * service, prefix and reason; the purge deletes counters older than its bound, read a chunk at a time.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { BUCKET_MS, pumpingKeys } from '../../src/domain/protection/pumping.js';
import { forEachBackend } from '../support/databases.js';
import { T0, service } from './fixtures.js';

const MIN = BUCKET_MS;
// A minute's start, so that "minutes ago" are whole buckets.
const NOW = Math.floor(T0 / MIN) * MIN + 30_000;

forEachBackend('store conformance: SMS-pumping guard', async (t, stores) => {
  await t.test('levels: set replaces, list by account, clear forgets, the service deletion takes it', async () => {
    const acct = newSid('AC');
    const s = service(acct);
    await stores.services.insertService(s);
    const keys = pumpingKeys('+447400123456');
    assert.equal((await stores.pumping.readPumping(s.sid, keys, NOW)).level, undefined);
    await stores.pumping.setPumpingLevel(acct, s.sid, 'basic', T0);
    await stores.pumping.setPumpingLevel(acct, s.sid, 'max', T0 + 1);
    assert.equal((await stores.pumping.readPumping(s.sid, keys, NOW)).level, 'max');
    assert.deepEqual(await stores.pumping.listPumpingLevels(acct), [{ serviceSid: s.sid, level: 'max' }]);
    assert.deepEqual(await stores.pumping.listPumpingLevels(newSid('AC')), []);
    assert.equal(await stores.pumping.clearPumpingLevel(s.sid), true);
    assert.equal(await stores.pumping.clearPumpingLevel(s.sid), false);
    await stores.pumping.setPumpingLevel(acct, s.sid, 'off', T0);
    await stores.services.deleteService(acct, s.sid);
    assert.deepEqual(await stores.pumping.listPumpingLevels(acct), []);
  });

  await t.test('counters: the windows sum what the guard reads; a blocked start counts on its range only', async () => {
    const va = newSid('VA');
    const keys = pumpingKeys('+447400123456');
    const near = pumpingKeys('+447400133456');
    assert.deepEqual(keys, { prefix: '+44740', range: '+44740012' });
    assert.deepEqual(near, { prefix: '+44740', range: '+44740013' });
    const empty = await stores.pumping.readPumping(va, keys, NOW);
    assert.deepEqual(empty.counts, { rangeStarts: 0, recentStarts: 0, baselineStarts: 0, baselineMinutes: 0, laggedStarts: 0, approvals: 0 });
    const at = (minutesAgo: number) => NOW - minutesAgo * MIN;
    // Baseline (10 to 69 minutes ago): 3 starts, the oldest 40 minutes ago.
    for (const m of [40, 20, 12]) await stores.pumping.countStart(va, keys, true, at(m));
    // Older than the horizon: never read.
    await stores.pumping.countStart(va, keys, true, at(70));
    // Recent: 4 accepted (one 3 minutes ago, lagged too), 2 blocked (range only), in this range or the next one.
    await stores.pumping.countStart(va, keys, true, at(3));
    await stores.pumping.countStart(va, near, true, at(1));
    await stores.pumping.countStart(va, keys, true, at(0));
    await stores.pumping.countStart(va, keys, true, at(0));
    await stores.pumping.countStart(va, keys, false, at(0));
    await stores.pumping.countStart(va, keys, false, at(5));
    await stores.pumping.countApproval(va, keys.prefix, at(0));
    await stores.pumping.countApproval(va, keys.prefix, at(31));
    // Another service's counters are its own.
    await stores.pumping.countStart(newSid('VA'), keys, true, at(0));
    const { counts } = await stores.pumping.readPumping(va, keys, NOW);
    assert.deepEqual(counts, {
      // This range in the last 5 minutes: 3, 0, 0 (accepted) and 0 (blocked); 5 minutes ago is out.
      rangeStarts: 4,
      // Accepted to the prefix in the last 10 minutes: 3, 1 (the other range), 0, 0.
      recentStarts: 4,
      baselineStarts: 3,
      baselineMinutes: 31,
      // Lagged: 3 to 32 minutes ago: 3, 12 and 20 minutes ago.
      laggedStarts: 3,
      approvals: 1,
    });
    assert.equal((await stores.pumping.readPumping(va, near, NOW)).counts.rangeStarts, 1);
    // Two rows read at a time: chunks end inside one counter's minutes.
    assert.equal(await stores.pumping.purgePumpingCounters(at(39), 2), 4, 'the prefix and range rows of 70 and 40 minutes ago');
    assert.equal(await stores.pumping.purgePumpingCounters(at(39), 2), 0);
    assert.equal((await stores.pumping.readPumping(va, keys, NOW)).counts.baselineStarts, 2);
  });

  await t.test('blocks: counted per service, prefix and reason, reported by account', async () => {
    const acct = newSid('AC');
    const s = service(acct);
    await stores.services.insertService(s);
    await stores.pumping.recordBlock(acct, s.sid, '+44740', 'consecutive_numbers', T0);
    await stores.pumping.recordBlock(acct, s.sid, '+44740', 'consecutive_numbers', T0 + 5);
    await stores.pumping.recordBlock(acct, s.sid, '+44741', 'low_conversion', T0 + 7);
    assert.deepEqual(await stores.pumping.blockReport(acct), [
      { serviceSid: s.sid, prefix: '+44740', reason: 'consecutive_numbers', blocked: 2, firstBlocked: T0, lastBlocked: T0 + 5 },
      { serviceSid: s.sid, prefix: '+44741', reason: 'low_conversion', blocked: 1, firstBlocked: T0 + 7, lastBlocked: T0 + 7 },
    ]);
    assert.deepEqual(await stores.pumping.blockReport(newSid('AC')), []);
  });
});
