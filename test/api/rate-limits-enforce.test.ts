/**
 * A start's RateLimits through the official twilio SDK on both backends, on an injected clock:
 * every bucket of each named rate limit counts one hit per value; past a bucket's max within its
 * interval the start answers 429 20429 with Retry-After and Twilio-Reached-Rate-Limit, sends
 * nothing and writes no attempt; the window's end lets starts through again; an unknown name is
 * 60200; a start refused by a later rule (60203) spends no hit; and starts spread over two verifyd
 * nodes on one database share the buckets exactly.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.js';
import { hasError } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type ServiceApi, type TestServer } from '../support/server.js';

const TOO_MANY = { code: 20429, message: 'Too many requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 };
const SEC = 1000;

let n = 0;
/** A fresh destination per start, so no start is a resend of another. */
const nextPhone = () => `+1501712${String(3000 + n++).padStart(4, '0')}`;

/** A raw start, for the 429's headers (the SDK does not expose them). */
async function rawStart(server: TestServer, acct: Account, serviceSid: string, to: string, rateLimits: Record<string, string>) {
  const res = await server.fetch(`/v2/Services/${serviceSid}/Verifications`, {
    method: 'POST',
    body: new URLSearchParams({ To: to, Channel: 'sms', RateLimits: JSON.stringify(rateLimits) }),
    auth: { user: acct.sid, pass: acct.authToken },
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), reached: res.headers.get('twilio-reached-rate-limit'), body: (await res.json()) as Record<string, unknown> };
}

/** Nothing was stored for `to`: no verification, no attempt, no inbox message. */
async function nothingStored(server: TestServer, acct: Account, api: ServiceApi, to: string): Promise<void> {
  await assert.rejects(api.verifications(to).fetch(), hasError(404, 20404));
  const inbox = (await (await server.fetch(`/inbox/messages?To=${encodeURIComponent(to)}`, { auth: { user: acct.sid, pass: acct.authToken } })).json()) as { messages: unknown[] };
  assert.deepEqual(inbox.messages, []);
  const attempts = await acct.client.verify.v2.verificationAttempts.list({ 'channelData.to': to });
  assert.deepEqual(attempts, []);
}

/** A service with rate limit `name` and the given buckets. */
async function limited(server: TestServer, name: string, buckets: Array<{ max: number; interval: number }>) {
  const s = await setup(server);
  const rl = await s.api.rateLimits.create({ uniqueName: name });
  for (const b of buckets) await s.api.rateLimits(rl.sid).buckets.create(b);
  return s;
}

onEachBackend('rate limits on a start', async (t, server, clock) => {
  await t.test('past max within the interval: 429 20429 with Retry-After and Twilio-Reached-Rate-Limit, nothing sent or stored', async () => {
    const { acct, svc, api } = await limited(server, 'end_user_ip', [{ max: 2, interval: 60 }]);
    const ip = { end_user_ip: '203.0.113.7' };
    for (let i = 0; i < 2; i++) assert.equal((await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip })).status, 'pending');
    clock.advance(20 * SEC);
    const to = nextPhone();
    const refused = await rawStart(server, acct, svc.sid, to, ip);
    assert.deepEqual(refused, { status: 429, retryAfter: '40', reached: 'end_user_ip', body: TOO_MANY });
    await assert.rejects(api.verifications.create({ to, channel: 'sms', rateLimits: ip }), hasError(429, 20429, (m) => assert.equal(m, 'Too many requests')));
    await nothingStored(server, acct, api, to);

    // Other values, and starts without RateLimits, are not limited.
    assert.equal((await api.verifications.create({ to, channel: 'sms', rateLimits: { end_user_ip: '198.51.100.1' } })).status, 'pending');
    assert.equal((await api.verifications.create({ to: nextPhone(), channel: 'sms' })).status, 'pending');

    // Retry-After counts down to the window's end (rounded up), and then the value passes again.
    clock.advance(39_999);
    assert.deepEqual((await rawStart(server, acct, svc.sid, nextPhone(), ip)).retryAfter, '1');
    clock.advance(1);
    assert.equal((await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip })).status, 'pending');
    // A new window of the bucket's interval began with that start.
    await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip });
    assert.equal((await rawStart(server, acct, svc.sid, nextPhone(), ip)).retryAfter, '60');
  });

  await t.test('every bucket of every named rate limit counts; the longest blocking window sets Retry-After', async () => {
    const s = await limited(server, 'ip', [{ max: 2, interval: 60 }, { max: 3, interval: 3600 }]);
    const user = await s.api.rateLimits.create({ uniqueName: 'user_id' });
    await s.api.rateLimits(user.sid).buckets.create({ max: 10, interval: 86400 });
    const both = { ip: '203.0.113.7', user_id: 'u-42' };
    for (let i = 0; i < 2; i++) await s.api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: both });
    assert.deepEqual(await rawStart(server, s.acct, s.svc.sid, nextPhone(), both), { status: 429, retryAfter: '60', reached: 'ip', body: TOO_MANY });
    clock.advance(60 * SEC);
    await s.api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: both });
    // The minute has room again, the hour (3 of 3, started an hour minus one minute from now) does not.
    const hour = await rawStart(server, s.acct, s.svc.sid, nextPhone(), both);
    assert.deepEqual([hour.status, hour.retryAfter, hour.reached], [429, String(3600 - 60), 'ip']);
    // The refused starts spent nothing on user_id: 3 accepted so far, so 7 more pass under another ip.
    for (let i = 0; i < 7; i++) await s.api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: { ip: `10.0.0.${i}`, user_id: 'u-42' } });
    const userFull = await rawStart(server, s.acct, s.svc.sid, nextPhone(), { ip: '10.0.1.1', user_id: 'u-42' });
    assert.deepEqual([userFull.status, userFull.reached], [429, 'user_id']);
  });

  await t.test('an unknown rate limit name is 60200 Invalid parameter: RateLimits, and spends nothing; one without buckets limits nothing', async () => {
    const { acct, api } = await limited(server, 'ip', [{ max: 1, interval: 60 }]);
    await api.rateLimits.create({ uniqueName: 'no_buckets' });
    const to = nextPhone();
    await assert.rejects(api.verifications.create({ to, channel: 'sms', rateLimits: { ip: '1.2.3.4', other: 'x' } }), hasError(400, 60200, (m) => assert.equal(m, 'Invalid parameter: RateLimits')));
    await nothingStored(server, acct, api, to);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    await assert.rejects(api.verifications.create({ to, channel: 'sms', rateLimits: many }), hasError(400, 60200, (m) => assert.equal(m, 'Invalid parameter: RateLimits')));
    // Another service's name is unknown here too.
    await (await setup(server, {}, acct)).api.rateLimits.create({ uniqueName: 'elsewhere' });
    await assert.rejects(api.verifications.create({ to, channel: 'sms', rateLimits: { elsewhere: 'x' } }), hasError(400, 60200));
    // The refusal spent no hit on `ip`: its one start still passes.
    assert.equal((await api.verifications.create({ to, channel: 'sms', rateLimits: { ip: '1.2.3.4', no_buckets: 'y' } })).status, 'pending');
    await assert.rejects(api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: { ip: '1.2.3.4' } }), hasError(429, 20429));
    for (let i = 0; i < 3; i++) await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: { no_buckets: 'y' } });
  });

  await t.test('a start refused by a later rule (60203 max sends) spends no bucket hit', async () => {
    const { api } = await limited(server, 'session', [{ max: 10, interval: 600 }]);
    const session = { session: 'abc' };
    const to = nextPhone();
    for (let i = 0; i < 5; i++) await api.verifications.create({ to, channel: 'sms', rateLimits: session });
    for (let i = 0; i < 3; i++) await assert.rejects(api.verifications.create({ to, channel: 'sms', rateLimits: session }), hasError(429, 60203));
    // 5 hits spent: exactly 5 more starts pass, then 20429.
    for (let i = 0; i < 5; i++) assert.equal((await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: session })).status, 'pending');
    await assert.rejects(api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: session }), hasError(429, 20429));
  });

  await t.test('bucket changes apply at once (Max) and deleted buckets stop counting', async () => {
    const { api } = await limited(server, 'ip', [{ max: 1, interval: 60 }]);
    const [rl] = await api.rateLimits.list();
    const [bucket] = await api.rateLimits(rl!.sid).buckets.list();
    const ip = { ip: '192.0.2.1' };
    await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip });
    await assert.rejects(api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip }), hasError(429, 20429));
    await api.rateLimits(rl!.sid).buckets(bucket!.sid).update({ max: 2 });
    await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip });
    await assert.rejects(api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip }), hasError(429, 20429));
    await api.rateLimits(rl!.sid).buckets(bucket!.sid).remove();
    await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: ip });
  });

  await t.test('a counter holds its value only as an HMAC under the code key, not as given nor as a bare hash', async () => {
    const { api } = await limited(server, 'ip', [{ max: 5, interval: 60 }]);
    const [rl] = await api.rateLimits.list();
    const [bucket] = await api.rateLimits(rl!.sid).buckets.list();
    const ip = '198.51.100.23';
    await api.verifications.create({ to: nextPhone(), channel: 'sms', rateLimits: { ip } });
    const db = (server.stores as unknown as { db: Kysely<Database> }).db;
    const rows = await db.selectFrom('rate_limit_hits').select(['value_hash', 'hits']).where('bucket_sid', '=', bucket!.sid).execute();
    const cut = (b: Buffer) => b.subarray(0, 16).toString('base64url');
    const meterKey = createHmac('sha256', server.deps.keys.current.secret).update('meter|rate-limits').digest();
    assert.deepEqual(rows, [{ value_hash: cut(createHmac('sha256', meterKey).update(ip).digest()), hits: 1 }]);
    // An unkeyed hash of an IPv4 address gives it back to anyone who tries all 2^32 of them.
    assert.notEqual(rows[0]!.value_hash, cut(createHash('sha256').update(ip).digest()));
  });

  await t.test('parallel starts over two nodes on one database against a bucket of max M: exactly M pass', async () => {
    const M = 5;
    const N = 16;
    const { acct, svc } = await limited(server, 'end_user_ip', [{ max: M, interval: 60 }, { max: 100, interval: 3600 }]);
    const second = await server.sibling({ clock });
    try {
      const ip = { end_user_ip: '203.0.113.9' };
      const results = await Promise.all(Array.from({ length: N }, (_, i) => rawStart(i % 2 === 0 ? server : second, acct, svc.sid, nextPhone(), ip)));
      assert.deepEqual(results.map((r) => r.status).sort(), [...Array(M).fill(201), ...Array(N - M).fill(429)]);
      for (const r of results.filter((x) => x.status === 429)) assert.deepEqual([r.reached, r.body], ['end_user_ip', TOO_MANY]);
      // The hour bucket counted only the accepted ones: after the minute, M more pass on either node.
      clock.advance(60 * SEC);
      const again = await Promise.all(Array.from({ length: N }, (_, i) => rawStart(i % 2 === 0 ? second : server, acct, svc.sid, nextPhone(), ip)));
      assert.equal(again.filter((r) => r.status === 201).length, M);
    } finally {
      await second.close();
    }
  });
}, { start: new Date('2026-01-05T09:00:00Z') });
