/**
 * The retention purge sweeps the protections' counters at most once per COUNTER_SWEEP_MS (they have
 * no index by time, so a sweep reads every row): the first run sweeps, runs within the period do
 * not, the first run past it does, with bounds taken at that run's time. On an injected clock.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/domain/clock.js';
import { COUNTER_HORIZON_MS } from '../../src/domain/protection/pumping.js';
import { COUNTER_SWEEP_MS, startRetention, type RetentionStores } from '../../src/sweep.js';

test('the counters are swept on the first run and then once per period', async () => {
  const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
  const swept: Array<[string, number]> = [];
  let optimized = 0;
  const stores: RetentionStores = {
    attempts: { purgeAttempts: async () => 0 },
    verifications: { purgeVerifications: async () => 0 },
    outbox: { purgeEvents: async () => 0 },
    apiThrottle: { purgeApiThrottle: async () => undefined },
    rateLimits: { purgeRateLimitHits: async (now) => (swept.push(['hits', now]), 0) },
    pumping: { purgePumpingCounters: async (before) => (swept.push(['pumping', before]), 0) },
    optimize: async () => void optimized++,
  };
  const retention = startRetention(stores, clock, 86_400_000, 3_600_000, { error: () => undefined });
  try {
    const t0 = clock.now().getTime();
    await retention.runOnce();
    assert.deepEqual(swept, [['hits', t0], ['pumping', t0 - COUNTER_HORIZON_MS]]);
    clock.advance(COUNTER_SWEEP_MS - 1);
    await retention.runOnce();
    assert.equal(swept.length, 2, 'not within the period');
    clock.advance(1);
    await retention.runOnce();
    const t1 = t0 + COUNTER_SWEEP_MS;
    assert.deepEqual(swept.slice(2), [['hits', t1], ['pumping', t1 - COUNTER_HORIZON_MS]]);
    assert.equal(optimized, 3, 'the rest of the purge runs every time');
  } finally {
    retention.stop();
  }
});
