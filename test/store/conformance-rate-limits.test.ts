/**
 * Store conformance for RateLimitStore and the start's hit counting (VerificationTx
 * countRateLimitHits) on SQLite and PostgreSQL: every field round-trips, reads are scoped by account
 * and service, unique names and intervals are unique, the per-parent limits hold, deletes cascade
 * (service -> rate limits -> buckets; a deleted bucket's counters lapse and are swept), counters restart when their window ends, a
 * rollback takes hits back, and concurrent transactions each see a distinct count.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { UniqueViolation, type RateLimit, type RateLimitBucket, type RateLimitScope } from '../../src/domain/ports.js';
import type { Stores } from '../../src/storage/stores.js';
import { forEachBackend } from '../support/databases.js';
import { T0, service } from './fixtures.js';

async function newScope(stores: Stores): Promise<RateLimitScope> {
  const svc = service(newSid('AC'));
  await stores.services.insertService(svc);
  return { accountSid: svc.accountSid, serviceSid: svc.sid };
}

const rateLimit = (scope: RateLimitScope, over: Partial<RateLimit> = {}): RateLimit => ({
  sid: newSid('RK'),
  ...scope,
  uniqueName: 'end_user_ip',
  description: 'Per IP',
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});

const bucket = (r: RateLimit, over: Partial<RateLimitBucket> = {}): RateLimitBucket => ({
  sid: newSid('BL'),
  accountSid: r.accountSid,
  serviceSid: r.serviceSid,
  rateLimitSid: r.sid,
  max: 5,
  interval: 60,
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});

/** One start's counting, committed. */
const hit = (stores: Stores, serviceSid: string, values: Array<{ name: string; valueHash: string }>, now: number) =>
  stores.verifications.transaction((tx) => tx.countRateLimitHits(serviceSid, values, now));

forEachBackend('store conformance: rate limits', async (t, stores) => {
  await t.test('rate limits: insert and get round-trip every field, scoped by account and service', async () => {
    const scope = await newScope(stores);
    const r = rateLimit(scope, { description: null });
    assert.equal(await stores.rateLimits.insertRateLimit(r, 20), 'inserted');
    assert.deepEqual(await stores.rateLimits.getRateLimit(scope, r.sid), r);
    assert.equal(await stores.rateLimits.getRateLimit({ ...scope, accountSid: newSid('AC') }, r.sid), undefined);
    assert.equal(await stores.rateLimits.getRateLimit({ ...scope, serviceSid: newSid('VA') }, r.sid), undefined);
  });

  await t.test('rate limits: unique name per service, a per-service limit, and a missing service', async () => {
    const scope = await newScope(stores);
    await stores.rateLimits.insertRateLimit(rateLimit(scope, { uniqueName: 'a' }), 2);
    await assert.rejects(stores.rateLimits.insertRateLimit(rateLimit(scope, { uniqueName: 'a' }), 2), UniqueViolation);
    // Names are case-sensitive, and another service may use the same one.
    assert.equal(await stores.rateLimits.insertRateLimit(rateLimit(scope, { uniqueName: 'A' }), 2), 'inserted');
    assert.equal(await stores.rateLimits.insertRateLimit(rateLimit(scope, { uniqueName: 'b' }), 2), 'full');
    assert.equal(await stores.rateLimits.insertRateLimit(rateLimit(await newScope(stores), { uniqueName: 'a' }), 2), 'inserted');
    assert.equal(await stores.rateLimits.insertRateLimit(rateLimit({ ...scope, accountSid: newSid('AC') }, { uniqueName: 'c' }), 20), 'missing');
  });

  await t.test('rate limits: list pages in (dateCreated, sid) order; update sets description and date_updated', async () => {
    const scope = await newScope(stores);
    const rows = [30, 10, 20].map((d, i) => rateLimit(scope, { uniqueName: `n${i}`, dateCreated: T0 + d }));
    for (const r of rows) await stores.rateLimits.insertRateLimit(r, 20);
    await stores.rateLimits.insertRateLimit(rateLimit(await newScope(stores)), 20);
    const ordered = [...rows].sort((a, b) => a.dateCreated - b.dateCreated).map((r) => r.sid);
    const all = await stores.rateLimits.listRateLimits(scope, { offset: 0, limit: 10 });
    assert.deepEqual(all.map((r) => r.sid), ordered);
    const after = await stores.rateLimits.listRateLimits(scope, { cursor: { dateCreated: all[0]!.dateCreated, sid: all[0]!.sid }, offset: 0, limit: 10 });
    assert.deepEqual(after.map((r) => r.sid), ordered.slice(1));
    const before = await stores.rateLimits.listRateLimits(scope, { cursor: { dateCreated: all[2]!.dateCreated, sid: all[2]!.sid }, back: true, offset: 0, limit: 10 });
    assert.deepEqual(before.map((r) => r.sid), ordered.slice(0, 2));

    const updated = await stores.rateLimits.updateRateLimit(scope, rows[0]!.sid, 'new', T0 + 99);
    assert.deepEqual(updated, { ...rows[0], description: 'new', dateUpdated: T0 + 99 });
    assert.equal(await stores.rateLimits.updateRateLimit({ ...scope, accountSid: newSid('AC') }, rows[0]!.sid, 'x', T0), undefined);
  });

  await t.test('buckets: round-trip, unique interval, a per-rate-limit limit, scoped reads, update', async () => {
    const scope = await newScope(stores);
    const r = rateLimit(scope);
    await stores.rateLimits.insertRateLimit(r, 20);
    const b = bucket(r);
    assert.equal(await stores.rateLimits.insertBucket(scope, b, 2), 'inserted');
    assert.deepEqual(await stores.rateLimits.getBucket(scope, r.sid, b.sid), b);
    assert.equal(await stores.rateLimits.getBucket({ ...scope, accountSid: newSid('AC') }, r.sid, b.sid), undefined);
    assert.equal(await stores.rateLimits.getBucket(scope, newSid('RK'), b.sid), undefined);
    await assert.rejects(stores.rateLimits.insertBucket(scope, bucket(r, { interval: 60 }), 2), UniqueViolation);
    const hour = bucket(r, { interval: 3600, dateCreated: T0 + 1 });
    assert.equal(await stores.rateLimits.insertBucket(scope, hour, 2), 'inserted');
    assert.equal(await stores.rateLimits.insertBucket(scope, bucket(r, { interval: 86400 }), 2), 'full');
    assert.equal(await stores.rateLimits.insertBucket({ ...scope, accountSid: newSid('AC') }, bucket(r, { interval: 5 }), 20), 'missing');
    assert.deepEqual((await stores.rateLimits.listBuckets(scope, r.sid, { offset: 0, limit: 10 })).map((x) => x.sid), [b.sid, hour.sid]);

    assert.deepEqual(await stores.rateLimits.updateBucket(scope, r.sid, b.sid, { max: 9 }, T0 + 5), { ...b, max: 9, dateUpdated: T0 + 5 });
    await assert.rejects(stores.rateLimits.updateBucket(scope, r.sid, b.sid, { interval: 3600 }, T0 + 6), UniqueViolation);
    assert.equal(await stores.rateLimits.updateBucket(scope, newSid('RK'), b.sid, { max: 1 }, T0), undefined);
  });

  await t.test('counting: unknown names count nothing; each bucket of each named limit counts per value; windows restart', async () => {
    const scope = await newScope(stores);
    const ip = rateLimit(scope, { uniqueName: 'ip' });
    const user = rateLimit(scope, { uniqueName: 'user' });
    const empty = rateLimit(scope, { uniqueName: 'no_buckets' });
    for (const r of [ip, user, empty]) await stores.rateLimits.insertRateLimit(r, 20);
    const minute = bucket(ip, { interval: 60, max: 2 });
    const hour = bucket(ip, { interval: 3600, max: 10 });
    const perUser = bucket(user, { interval: 60, max: 1 });
    for (const b of [minute, hour, perUser]) await stores.rateLimits.insertBucket(scope, b, 10);

    assert.deepEqual(await hit(stores, scope.serviceSid, [{ name: 'ip', valueHash: 'h1' }, { name: 'nope', valueHash: 'x' }], T0), { unknown: ['nope'], counts: [] });
    const first = await hit(stores, scope.serviceSid, [{ name: 'ip', valueHash: 'h1' }, { name: 'user', valueHash: 'u1' }, { name: 'no_buckets', valueHash: 'z' }], T0);
    assert.deepEqual(first.unknown, []);
    const bySid = (r: typeof first) => Object.fromEntries(r.counts.map((c) => [c.bucketSid, c]));
    assert.deepEqual(bySid(first), {
      [minute.sid]: { rateLimitName: 'ip', bucketSid: minute.sid, max: 2, hits: 1, windowEnd: T0 + 60_000 },
      [hour.sid]: { rateLimitName: 'ip', bucketSid: hour.sid, max: 10, hits: 1, windowEnd: T0 + 3_600_000 },
      [perUser.sid]: { rateLimitName: 'user', bucketSid: perUser.sid, max: 1, hits: 1, windowEnd: T0 + 60_000 },
    });
    const second = bySid(await hit(stores, scope.serviceSid, [{ name: 'ip', valueHash: 'h1' }], T0 + 59_999));
    assert.deepEqual([second[minute.sid]!.hits, second[minute.sid]!.windowEnd, second[hour.sid]!.hits], [2, T0 + 60_000, 2]);
    // Another value has counters of its own.
    assert.equal(bySid(await hit(stores, scope.serviceSid, [{ name: 'ip', valueHash: 'h2' }], T0))[minute.sid]!.hits, 1);
    // The minute's window ended: it restarts at now; the hour's goes on.
    const third = bySid(await hit(stores, scope.serviceSid, [{ name: 'ip', valueHash: 'h1' }], T0 + 60_000));
    assert.deepEqual([third[minute.sid]!.hits, third[minute.sid]!.windowEnd, third[hour.sid]!.hits], [1, T0 + 120_000, 3]);
    // Names are scoped by service.
    assert.deepEqual((await hit(stores, (await newScope(stores)).serviceSid, [{ name: 'ip', valueHash: 'h1' }], T0)).unknown, ['ip']);

    assert.equal(await stores.rateLimits.purgeRateLimitHits(T0 + 60_000), 2); // user u1 and ip h2 minute windows
    assert.equal(bySid(await hit(stores, scope.serviceSid, [{ name: 'user', valueHash: 'u1' }], T0 + 60_000))[perUser.sid]!.hits, 1);
  });

  await t.test('the purge sweeps in chunks: every lapsed counter goes, a deleted bucket\'s too, every live one stays', async () => {
    // Later than every other test's windows, all swept first: the counts below are this test's own.
    const S = T0 + 100 * 86_400_000;
    await stores.rateLimits.purgeRateLimitHits(S);
    const scope = await newScope(stores);
    const r = rateLimit(scope);
    await stores.rateLimits.insertRateLimit(r, 20);
    const minute = bucket(r, { interval: 60, max: 100 });
    const hour = bucket(r, { interval: 3600, max: 100 });
    for (const b of [minute, hour]) await stores.rateLimits.insertBucket(scope, b, 10);
    // Seven values: 14 counters, read 3 at a time, so chunks end between one value's two buckets.
    const values = Array.from({ length: 7 }, (_, i) => [{ name: r.uniqueName, valueHash: `sweep-${i}` }]);
    for (const v of values) await hit(stores, scope.serviceSid, v, S);
    // A bucket deleted with its counters in place: they are never read again, and lapse with the rest.
    const gone = rateLimit(scope, { uniqueName: 'gone' });
    await stores.rateLimits.insertRateLimit(gone, 20);
    const goneBucket = bucket(gone, { interval: 60 });
    await stores.rateLimits.insertBucket(scope, goneBucket, 10);
    await hit(stores, scope.serviceSid, [{ name: 'gone', valueHash: 'sweep-0' }], S);
    assert.equal(await stores.rateLimits.deleteRateLimit(scope, gone.sid), true);

    // Nothing has lapsed a millisecond early.
    assert.equal(await stores.rateLimits.purgeRateLimitHits(S + 59_999, 3), 0);
    // The minute windows (7, and the deleted bucket's 1) end at S + 60 s; the hour's go on.
    assert.equal(await stores.rateLimits.purgeRateLimitHits(S + 60_000, 3), 8);
    for (const v of values) {
      const counts = (await hit(stores, scope.serviceSid, v, S + 60_000)).counts;
      assert.deepEqual(Object.fromEntries(counts.map((c) => [c.bucketSid, c.hits])), { [minute.sid]: 1, [hour.sid]: 2 }, v[0]!.valueHash);
    }
    // The minute windows restarted at S + 60 s: they end a minute later, the hour's at S + 1 h.
    assert.equal(await stores.rateLimits.purgeRateLimitHits(S + 119_999, 3), 0);
    assert.equal(await stores.rateLimits.purgeRateLimitHits(S + 120_000, 3), 7);
    assert.equal(await stores.rateLimits.purgeRateLimitHits(S + 3_600_000), 7);
  });

  await t.test('a rolled-back transaction takes its hits back', async () => {
    const scope = await newScope(stores);
    const r = rateLimit(scope);
    await stores.rateLimits.insertRateLimit(r, 20);
    const b = bucket(r, { max: 3 });
    await stores.rateLimits.insertBucket(scope, b, 10);
    const values = [{ name: r.uniqueName, valueHash: 'v' }];
    await hit(stores, scope.serviceSid, values, T0);
    await assert.rejects(
      stores.verifications.transaction(async (tx) => {
        assert.equal((await tx.countRateLimitHits(scope.serviceSid, values, T0)).counts[0]!.hits, 2);
        throw new Error('refused later');
      }),
      /refused later/,
    );
    assert.equal((await hit(stores, scope.serviceSid, values, T0)).counts[0]!.hits, 2);
  });

  await t.test('deletes cascade: service -> rate limits -> buckets; a new bucket counts from zero', async () => {
    const scope = await newScope(stores);
    const r = rateLimit(scope);
    await stores.rateLimits.insertRateLimit(r, 20);
    const b = bucket(r);
    await stores.rateLimits.insertBucket(scope, b, 10);
    await hit(stores, scope.serviceSid, [{ name: r.uniqueName, valueHash: 'v' }], T0);
    assert.equal(await stores.rateLimits.deleteBucket({ ...scope, accountSid: newSid('AC') }, r.sid, b.sid), false);
    assert.equal(await stores.rateLimits.deleteBucket(scope, r.sid, b.sid), true);
    assert.equal(await stores.rateLimits.deleteBucket(scope, r.sid, b.sid), false);
    // A new bucket with the same interval starts from zero: the old bucket's counters are not its own.
    const again = bucket(r);
    await stores.rateLimits.insertBucket(scope, again, 10);
    assert.equal((await hit(stores, scope.serviceSid, [{ name: r.uniqueName, valueHash: 'v' }], T0)).counts[0]!.hits, 1);

    assert.equal(await stores.rateLimits.deleteRateLimit(scope, r.sid), true);
    assert.equal(await stores.rateLimits.getBucket(scope, r.sid, again.sid), undefined);
    assert.equal(await stores.rateLimits.deleteRateLimit(scope, r.sid), false);

    const kept = rateLimit(scope);
    await stores.rateLimits.insertRateLimit(kept, 20);
    await stores.rateLimits.insertBucket(scope, bucket(kept), 10);
    await hit(stores, scope.serviceSid, [{ name: kept.uniqueName, valueHash: 'v' }], T0);
    assert.equal(await stores.services.deleteService(scope.accountSid, scope.serviceSid), true);
    assert.deepEqual(await stores.rateLimits.listRateLimits(scope, { offset: 0, limit: 10 }), []);
  });

  await t.test('concurrent transactions counting one value each see a distinct count', async () => {
    const scope = await newScope(stores);
    const r = rateLimit(scope);
    await stores.rateLimits.insertRateLimit(r, 20);
    await stores.rateLimits.insertBucket(scope, bucket(r, { max: 100 }), 10);
    await stores.rateLimits.insertBucket(scope, bucket(r, { max: 100, interval: 3600 }), 10);
    const values = [{ name: r.uniqueName, valueHash: 'same' }];
    const results = await Promise.all(Array.from({ length: 12 }, () => hit(stores, scope.serviceSid, values, T0)));
    for (const at of [0, 1]) {
      const seen = results.map((x) => [...x.counts].sort((a, b) => (a.bucketSid < b.bucketSid ? -1 : 1))[at]!.hits).sort((a, b) => a - b);
      assert.deepEqual(seen, Array.from({ length: 12 }, (_, i) => i + 1));
    }
  });
});
