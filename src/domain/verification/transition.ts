import type { VerificationTx } from '../ports.js';
import { publishStatus } from '../events/publish.js';
import type { Service, StatusCause, Verification, VerificationStatus } from '../types.js';
import { canTransition } from './state.js';
import { recordPumpingApproval } from '../protection/pumping-guard.js';
import type { VerificationDeps } from './deps.js';

/**
 * Applies one status change to a locked verification and records it, so that every change is
 * persisted with its time and cause in the same transaction, and published to the event outbox there.
 */
export async function transition(
  tx: VerificationTx,
  service: Service,
  v: Verification,
  to: VerificationStatus,
  cause: StatusCause,
  now: number,
): Promise<void> {
  if (!canTransition(v.status, to, cause)) {
    throw new Error(`illegal transition ${v.status} -> ${to} (${cause})`);
  }
  const from = v.status;
  v.status = to;
  v.dateUpdated = now;
  await tx.updateVerification(v);
  await tx.insertStatusChange({
    verificationSid: v.sid,
    accountSid: v.accountSid,
    serviceSid: v.serviceSid,
    fromStatus: from,
    toStatus: to,
    cause,
    dateCreated: now,
  });
  // The Attempts API reports conversion per attempt; it changes with the verification's outcome.
  if (to === 'approved') await tx.setAttemptOutcome(v.sid, { converted: true, status: 'confirmed' }, now);
  else if (to === 'expired') await tx.setAttemptOutcome(v.sid, { converted: false, status: 'expired' }, now);
  await publishStatus(tx, service, v, now);
}

/** A pending verification whose validity has ended is expired on sight, whoever looks first. */
export const isLapsed = (v: Verification, now: number): boolean => v.status === 'pending' && v.expiresAt <= now;

/**
 * After an approval commits: counts it for the SMS-pumping guard's conversion rate. A heuristic's
 * counter, so a failure to write it must not turn an approval the client has earned into an error.
 */
export async function countApproval(deps: Pick<VerificationDeps, 'protection'>, service: Service, v: Verification): Promise<void> {
  if (!deps.protection?.pumping) return;
  await recordPumpingApproval(deps.protection.pumping, service.sid, v).catch(() => undefined);
}
