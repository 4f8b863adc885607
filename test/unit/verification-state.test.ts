/**
 * The verification lifecycle table (src/domain/verification/state.ts, docs/lifecycle.md): every
 * (from, to, cause) triple is checked, so a way in or out added or lost by mistake fails here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VerificationStatus } from '../../src/domain/types.js';
import { canTransition } from '../../src/domain/verification/state.js';
import { CAUSES, STATUSES, label, triples } from '../support/lifecycle.js';

const FINAL: VerificationStatus[] = ['approved', 'canceled', 'expired', 'max_attempts_reached'];

/** The only allowed transitions. */
const ALLOWED = new Set([
  'pending -> approved (check)',
  'pending -> approved (update)',
  'pending -> canceled (update)',
  'pending -> canceled (normalize)',
  'pending -> expired (expiry)',
  'pending -> expired (start)',
  'pending -> expired (check)',
  'pending -> expired (update)',
  'pending -> max_attempts_reached (check)',
]);

test('exactly the listed transitions are allowed; every other triple is refused', () => {
  const all = triples();
  assert.equal(all.length, 150);
  for (const t of all) assert.equal(canTransition(t.from, t.to, t.cause), ALLOWED.has(label(t)), label(t));
  assert.equal(all.filter((t) => canTransition(t.from, t.to, t.cause)).length, ALLOWED.size);
});

test('every status but pending is final: no way out for any cause, not even to itself', () => {
  for (const from of FINAL) {
    for (const to of STATUSES) for (const cause of CAUSES) assert.equal(canTransition(from, to, cause), false, label({ from, to, cause }));
  }
});

test('pending never goes back to pending, and a resend changes no status', () => {
  for (const cause of CAUSES) assert.equal(canTransition('pending', 'pending', cause), false, cause);
  for (const to of STATUSES) assert.equal(canTransition('pending', to, 'resend'), false, to);
});

test('only a check runs out of attempts; only an update or the start-up e-mail normalisation cancels', () => {
  for (const cause of CAUSES) {
    assert.equal(canTransition('pending', 'max_attempts_reached', cause), cause === 'check', cause);
    assert.equal(canTransition('pending', 'canceled', cause), cause === 'update' || cause === 'normalize', cause);
  }
});
