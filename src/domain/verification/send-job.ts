/** The rules of a queued send that need no store: which code it carries, whether to go on, when to try again. */
import type { CodeKeyring } from '../code/keys.js';
import { retryAt } from '../events/retry.js';
import type { ClaimedSendJob } from '../ports/send-jobs.js';

/** How failed sends are retried: exponential backoff with jitter, at most `maxAttempts` tries, within the code's validity. */
export interface SendRetryPolicy {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
}

/** Why a job ends without sending: its verification is no longer waiting for this code. */
export function staleReason(job: ClaimedSendJob, now: number): string | null {
  const v = job.verification;
  if (!v) return 'the verification was deleted';
  if (v.status !== 'pending') return `the verification is ${v.status}`;
  if (now >= v.expiresAt) return 'the code expired before it could be sent';
  return null;
}

/**
 * The code to send: a custom code opened from its seal, else derived again from the verification's
 * seed. Undefined when neither is there any more (a later resend replaced a generated code with a
 * custom one, or the key was rotated out): the code this job was for no longer checks.
 */
export function codeFor(keys: CodeKeyring, job: ClaimedSendJob): string | undefined {
  if (job.sealedCode) return keys.open(job.sealedCode.keyId, job.sealedCode.sealed, job.attemptSid);
  const v = job.verification;
  if (!v || v.customCode || v.codeSeed === null) return undefined;
  return keys.deriveCode(v.codeKeyId, v.codeSeed, v.codeLength);
}

/** When to try again after the job's `failures`-th failure, or null to give up: tries spent, or no time left before the code expires. */
export function nextTry(job: ClaimedSendJob, failures: number, now: number, p: SendRetryPolicy, random?: () => number): number | null {
  const expiresAt = job.verification?.expiresAt ?? now;
  if (failures >= p.maxAttempts) return null;
  const at = retryAt(failures, job.dateCreated, now, { baseMs: p.baseMs, capMs: p.capMs, windowMs: expiresAt - job.dateCreated }, random);
  // A try at the moment the code expires would only find it expired.
  return at === null || at >= expiresAt ? null : at;
}
