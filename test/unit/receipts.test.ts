/**
 * Receipts only move an attempt forward (src/domain/attempts/receipts.ts): each status lists the
 * statuses it may follow, for messages and calls alike.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { precedingStatuses } from '../../src/domain/attempts/receipts.js';

const follows = (next: string, current: string) => precedingStatuses(next).includes(current);

test('messages: queued -> sending -> sent -> delivered -> read, and never back', () => {
  const path = ['queued', 'sending', 'sent', 'delivered', 'read'];
  for (let i = 0; i < path.length; i++) {
    for (let j = 0; j < path.length; j++) assert.equal(follows(path[j]!, path[i]!), j > i, `${path[i]} -> ${path[j]}`);
  }
  for (const end of ['undelivered', 'failed', 'canceled']) {
    assert.ok(follows(end, 'sent'));
    assert.equal(follows('delivered', end), false);
    assert.equal(follows('read', end), false);
  }
  assert.equal(follows('undelivered', 'delivered'), false);
});

test('calls: queued -> ringing -> in-progress -> completed, busy or no-answer, never back', () => {
  assert.ok(follows('ringing', 'queued'));
  assert.ok(follows('in-progress', 'ringing'));
  assert.ok(follows('completed', 'in-progress'));
  assert.ok(follows('no-answer', 'ringing'));
  assert.ok(follows('failed', 'queued'));
  assert.equal(follows('ringing', 'in-progress'), false);
  assert.equal(follows('in-progress', 'completed'), false);
  assert.equal(follows('completed', 'busy'), false);
});

test('statuses no receipt sets are never entered', () => {
  for (const s of ['queued', 'accepted', 'initiated', 'received', 'anything']) assert.deepEqual(precedingStatuses(s), []);
});
