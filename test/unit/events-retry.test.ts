/**
 * retryAt (src/domain/events/retry.ts): exponential backoff with equal jitter inside the retry
 * window. A fixed `random` pins the jitter so each bound can be checked exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY, retryAt, type RetryPolicy } from '../../src/domain/events/retry.js';

const P: RetryPolicy = { baseMs: 1_000, capMs: 60_000, windowMs: 3_600_000 };
const WRITTEN = 1_700_000_000_000;
const ceiling = (failures: number, p = P) => Math.min(p.capMs, p.baseMs * 2 ** (failures - 1));

test('the delay stays within [c/2, c] of the ceiling c = min(cap, base * 2^(n-1))', () => {
  const now = WRITTEN + 1_000;
  for (let n = 1; n <= 30; n++) {
    const c = ceiling(n);
    assert.equal(retryAt(n, WRITTEN, now, P, () => 0)! - now, c / 2, `lowest delay after failure ${n}`);
    // Math.random() stays below 1; 1 is the supremum, exactly c.
    assert.equal(retryAt(n, WRITTEN, now, P, () => 1)! - now, c, `highest delay after failure ${n}`);
    for (const r of [0.1, 0.5, 0.9]) {
      const delay = retryAt(n, WRITTEN, now, P, () => r)! - now;
      assert.ok(delay >= c / 2 && delay <= c, `failure ${n}, random ${r}: ${delay} outside [${c / 2}, ${c}]`);
    }
  }
});

test('the delay grows with each failure until the cap, then stays there', () => {
  const now = WRITTEN;
  const delays = Array.from({ length: 12 }, (_, i) => retryAt(i + 1, WRITTEN, now, P, () => 0.5)! - now);
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i]! >= delays[i - 1]!, `delay ${i + 1} shrank: ${delays.join(', ')}`);
  assert.deepEqual(delays.slice(0, 4), [750, 1_500, 3_000, 6_000]);
  // 1000 * 2^6 = 64 s passes the 60 s cap from the 7th failure on.
  assert.deepEqual(delays.slice(6), Array(6).fill(45_000));
  // Huge failure counts neither overflow nor pass the cap.
  assert.equal(retryAt(10_000, WRITTEN, now, P, () => 1)! - now, P.capMs);
});

test('a retry never lands after the window end; the last one lands on it', () => {
  const deadline = WRITTEN + P.windowMs;
  const now = deadline - 10_000;
  // Every draw would pass the deadline (ceiling 60 s, 10 s left): clamped onto it.
  for (const r of [0, 0.5, 1]) assert.equal(retryAt(20, WRITTEN, now, P, () => r), deadline);
  // With room left, the ordinary delay applies.
  assert.equal(retryAt(1, WRITTEN, now, P, () => 0), now + 500);
});

test('null from the window end on: the delivery is given up', () => {
  const deadline = WRITTEN + P.windowMs;
  assert.equal(retryAt(5, WRITTEN, deadline, P, () => 0.5), null);
  assert.equal(retryAt(5, WRITTEN, deadline + 1, P, () => 0.5), null);
  assert.equal(retryAt(1, WRITTEN, deadline + 86_400_000, P, () => 0), null);
  assert.notEqual(retryAt(5, WRITTEN, deadline - 1, P, () => 0.5), null);
});

test('simulated to the end: every failure retried inside the window, then given up', () => {
  // Each retry fails at the moment it is due; follow the chain as a dispatcher would.
  let now = WRITTEN;
  let failures = 0;
  const times: number[] = [];
  for (;;) {
    failures += 1;
    const next = retryAt(failures, WRITTEN, now, P, () => 0.37);
    if (next === null) break;
    assert.ok(next > now && next <= WRITTEN + P.windowMs, `retry ${failures} at ${next - WRITTEN}`);
    times.push(next);
    now = next;
  }
  assert.equal(times.at(-1), WRITTEN + P.windowMs, 'the last retry lands on the window end');
  assert.ok(failures > 10, `only ${failures} attempts in an hour`);
});

test('the defaults: 1 s base, 10 min cap, a 4 hour window (Twilio)', () => {
  assert.deepEqual(DEFAULT_RETRY, { baseMs: 1_000, capMs: 600_000, windowMs: 14_400_000 });
  assert.equal(retryAt(1, WRITTEN, WRITTEN + 4 * 3_600_000 - 1, DEFAULT_RETRY, () => 0), WRITTEN + 4 * 3_600_000);
  assert.equal(retryAt(1, WRITTEN, WRITTEN + 4 * 3_600_000, DEFAULT_RETRY, () => 0), null);
});
