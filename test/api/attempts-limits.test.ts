/**
 * The Attempts endpoints' per-account rate limit (fixed one-minute windows counted in the
 * database, so two app instances on one database share it) and the retention purge. Both backends,
 * on a ManualClock.
 */
import assert from 'node:assert/strict';
import { startRetention } from '../../src/sweep.js';
import { hasError } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const LIMIT = 5;
const MIN = 60_000;
const DAY = 86_400_000;
const US = '+15017122661';
const quiet = { error: () => undefined };

async function get(server: TestServer, acct: Account, path: string): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

const TOO_MANY = { code: 20429, message: 'Too many requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 };

/** An account with one attempt, and the three Attempts paths it can read. */
async function withAttempt(server: TestServer) {
  const { acct, api } = await setup(server);
  const v = await api.verifications.create({ to: US, channel: 'sms' });
  const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
  return { acct, api, vl, paths: ['/v2/Attempts', `/v2/Attempts/${vl}`, '/v2/Attempts/Summary', '/v2/Attempts?Channel=sms&PageSize=1', `/v2/Attempts/${vl}`] };
}

onEachBackend('attempts: rate limit', async (t, server, clock) => {
  /** Moves the clock to `offset` ms into the next one-minute window. */
  const toWindow = (offset: number) => clock.advance(MIN - (clock.now().getTime() % MIN) + offset);

  await t.test('the sixth request in a minute is 429 20429 with Retry-After; a new minute resets', async () => {
    toWindow(20_000);
    const { acct, api, vl, paths } = await withAttempt(server);
    for (const p of paths) assert.equal((await get(server, acct, p)).status, 200, p);
    for (const p of ['/v2/Attempts', `/v2/Attempts/${vl}`, '/v2/Attempts/Summary']) {
      const r = await get(server, acct, p);
      assert.equal(r.status, 429, p);
      assert.deepEqual(r.body, TOO_MANY);
      assert.equal(r.retryAfter, '40');
    }
    await assert.rejects(acct.client.verify.v2.verificationAttempts.list({}), hasError(429, 20429));
    await assert.rejects(acct.client.verify.v2.verificationAttempts(vl).fetch(), hasError(429, 20429));
    await assert.rejects(acct.client.verify.v2.verificationAttemptsSummary().fetch(), hasError(429, 20429));
    // Only the Attempts endpoints are limited.
    assert.equal((await api.verifications.create({ to: '+447400123456', channel: 'sms' })).status, 'pending');
    // Still the same minute one millisecond before it ends.
    clock.advance(39_999);
    const last = await get(server, acct, '/v2/Attempts');
    assert.deepEqual([last.status, last.retryAfter], [429, '1']);
    clock.advance(1);
    for (const p of paths) assert.equal((await get(server, acct, p)).status, 200, `new minute: ${p}`);
    const again = await get(server, acct, '/v2/Attempts');
    assert.deepEqual([again.status, again.retryAfter, again.body], [429, '60', TOO_MANY]);
  });

  await t.test('other accounts are unaffected; an API key shares its account\'s count', async () => {
    toWindow(0);
    const one = await withAttempt(server);
    const two = await withAttempt(server);
    for (const p of one.paths) assert.equal((await get(server, one.acct, p)).status, 200);
    assert.equal((await get(server, one.acct, '/v2/Attempts')).status, 429);
    for (const p of two.paths) assert.equal((await get(server, two.acct, p)).status, 200, `other account: ${p}`);
    assert.equal((await get(server, two.acct, '/v2/Attempts')).status, 429);
    const key = await server.apiKeyClient(one.acct.sid);
    await assert.rejects(key.verify.v2.verificationAttempts.list({}), hasError(429, 20429));
    clock.advance(MIN);
    const three = await withAttempt(server);
    const keyed = await server.apiKeyClient(three.acct.sid);
    for (let i = 0; i < 3; i++) await keyed.verify.v2.verificationAttempts.list({});
    for (let i = 0; i < 2; i++) assert.equal((await get(server, three.acct, '/v2/Attempts')).status, 200);
    await assert.rejects(keyed.verify.v2.verificationAttempts.list({}), hasError(429, 20429));
  });

  await t.test('Retry-After is whole seconds to the next minute, 1..60', async () => {
    for (const [offset, want] of [[0, '60'], [1, '60'], [30_500, '30'], [45_000, '15'], [59_000, '1'], [59_999, '1']] as const) {
      toWindow(offset);
      const { acct } = await withAttempt(server);
      for (let i = 0; i < LIMIT; i++) assert.equal((await get(server, acct, '/v2/Attempts/Summary')).status, 200);
      const r = await get(server, acct, '/v2/Attempts/Summary');
      assert.deepEqual([r.status, r.retryAfter], [429, want], `at +${offset} ms`);
    }
  });

  await t.test('two app instances on one database share one limit', async () => {
    toWindow(10_000);
    const second = await server.sibling();
    try {
      const { acct, vl } = await withAttempt(server);
      for (let i = 0; i < 3; i++) assert.equal((await get(server, acct, '/v2/Attempts')).status, 200);
      for (let i = 0; i < 2; i++) assert.equal((await get(second, acct, `/v2/Attempts/${vl}`)).status, 200);
      const onSecond = await get(second, acct, '/v2/Attempts/Summary');
      assert.deepEqual([onSecond.status, onSecond.retryAfter, onSecond.body], [429, '50', TOO_MANY]);
      assert.equal((await get(server, acct, '/v2/Attempts')).status, 429);

      // Concurrent requests spread over both instances: exactly LIMIT get through.
      clock.advance(MIN);
      const { acct: racer } = await withAttempt(server);
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => get(i % 2 === 0 ? server : second, racer, '/v2/Attempts/Summary')));
      assert.deepEqual(results.map((r) => r.status).sort(), [...Array(LIMIT).fill(200), ...Array(12 - LIMIT).fill(429)]);
    } finally {
      await second.close();
    }
  });
}, { start: new Date('2025-07-01T09:00:00Z'), attemptsRatePerMinute: LIMIT });

onEachBackend('attempts: retention', async (t, server, clock) => {
  await t.test('runOnce removes attempts older than the retention period and keeps the newer', async () => {
    const { acct, api } = await setup(server);
    const old1 = (await api.verifications.create({ to: US, channel: 'sms' })).sendCodeAttempts[0]?.attempt_sid as string;
    const old2 = (await api.verifications.create({ to: US, channel: 'call' })).sendCodeAttempts.at(-1)?.attempt_sid as string;
    clock.advance(DAY);
    const kept = (await api.verifications.create({ to: '+447400123456', channel: 'sms' })).sendCodeAttempts[0]?.attempt_sid as string;
    const other = await setup(server);
    const otherKept = (await other.api.verifications.create({ to: US, channel: 'sms' })).sendCodeAttempts[0]?.attempt_sid as string;
    const sids = async (a: Account) => (await a.client.verify.v2.verificationAttempts.list({})).map((x) => x.sid);
    assert.deepEqual(new Set(await sids(acct)), new Set([old1, old2, kept]));

    const retention = startRetention(server.stores, clock, 30 * DAY, MIN, quiet);
    try {
      // Exactly 30 days old is still within the period.
      clock.advance(29 * DAY);
      assert.equal(await retention.runOnce(), 0);
      assert.equal((await sids(acct)).length, 3);
      clock.advance(1);
      assert.equal(await retention.runOnce(), 2);
      assert.deepEqual(await sids(acct), [kept]);
      assert.deepEqual(await sids(other.acct), [otherKept]);
      await assert.rejects(acct.client.verify.v2.verificationAttempts(old1).fetch(), hasError(404, 20404));
      const s = await acct.client.verify.v2.verificationAttemptsSummary().fetch();
      assert.equal(s.totalAttempts, 1);
      // Idempotent; and the rest go once they age out too.
      assert.equal(await retention.runOnce(), 0);
      clock.advance(DAY);
      assert.equal(await retention.runOnce(), 2);
      assert.deepEqual(await sids(acct), []);
    } finally {
      retention.stop();
    }
  });
}, { start: new Date('2025-01-01T00:00:00Z'), attemptsRatePerMinute: 1_000_000 });
