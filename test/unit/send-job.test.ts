/** The send queue's store-free rules: when a job is stale, which code it carries, when it is tried again. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodeKeyring } from '../../src/domain/code/keys.js';
import type { ClaimedSendJob } from '../../src/domain/ports.js';
import { codeFor, nextTry, staleReason } from '../../src/domain/verification/send-job.js';

const keys = new CodeKeyring([{ id: 'k1', secret: Buffer.alloc(32, 5) }]);
const T0 = 1_700_000_000_000;
const POLICY = { baseMs: 1_000, capMs: 60_000, maxAttempts: 5 };

function job(over: Partial<ClaimedSendJob> = {}, v: Partial<NonNullable<ClaimedSendJob['verification']>> = {}): ClaimedSendJob {
  return {
    id: 'VL1', attemptSid: 'VL1', verificationSid: 'VE1', channel: 'sms', request: {} as ClaimedSendJob['request'], sealedCode: null,
    dateCreated: T0, claim: 'c', leaseUntil: T0 + 10_000, attempts: 0, tries: [], awaiting: null,
    verification: { status: 'pending', expiresAt: T0 + 600_000, codeKeyId: 'k1', codeSeed: 'seed', codeLength: 6, customCode: false, ...v },
    ...over,
  };
}

test('a job is stale once its verification is not pending, expired or gone', () => {
  assert.equal(staleReason(job(), T0), null);
  assert.match(staleReason(job({}, { status: 'approved' }), T0) ?? '', /approved/);
  assert.match(staleReason(job({}, { status: 'canceled' }), T0) ?? '', /canceled/);
  assert.match(staleReason(job(), T0 + 600_000) ?? '', /expired/);
  assert.match(staleReason(job({ verification: undefined }), T0) ?? '', /deleted/);
});

test('the code: derived from the seed as the start derived it, or opened from its seal; none when replaced', () => {
  assert.equal(codeFor(keys, job()), keys.deriveCode('k1', 'seed', 6));
  assert.equal(codeFor(keys, job({ sealedCode: keys.seal('4321', 'VL1') }, { customCode: true, codeSeed: null })), '4321');
  // A resend replaced the generated code with a custom one: this job's code no longer checks.
  assert.equal(codeFor(keys, job({}, { customCode: true, codeSeed: null })), undefined);
});

test('retries back off with jitter, stop after maxAttempts tries, and never reach the expiry', () => {
  const half = () => 0.5;
  assert.equal(nextTry(job(), 1, T0, POLICY, half), T0 + 750);
  assert.equal(nextTry(job(), 3, T0, POLICY, half), T0 + 3_000);
  assert.equal(nextTry(job(), 5, T0, POLICY, half), null, 'tries spent');
  const late = T0 + 599_500;
  assert.equal(nextTry(job(), 1, late, POLICY, half), null, 'the retry would land at or after the expiry');
  assert.equal(nextTry(job(), 1, T0 + 600_000, POLICY, half), null);
});
