import { verifyInvalidParam, notFound } from '../errors.js';
import { normalizeTarget } from '../address.js';
import { isSid } from '../ids.js';
import type { VerificationTx } from '../ports.js';
import type { SendAttempt, Service, Verification } from '../types.js';
import type { VerificationDeps } from './deps.js';
import { countApproval, isLapsed, transition } from './transition.js';

/** A path segment is a VE sid, or else a To in any form start accepted (normalized like start does). */
const lockByRef = (tx: VerificationTx, service: Service, ref: string) =>
  isSid(ref, 'VE') ? tx.lockBySid(service.sid, ref) : tx.lockPendingByTo(service.sid, normalizeTarget(ref));

const missing = (service: Service, ref: string) => notFound(`/Services/${service.sid}/Verifications/${ref}`);

/** Manual approval or cancellation (Status=approved|canceled), as used with custom codes. */
export async function updateVerification(
  deps: VerificationDeps,
  service: Service,
  ref: string,
  status: string,
): Promise<Verification> {
  if (status !== 'approved' && status !== 'canceled') throw verifyInvalidParam('Status');
  const result = await deps.store.transaction(async (tx) => {
    const now = deps.clock.now().getTime();
    const v = await lockByRef(tx, service, ref);
    if (!v || v.status !== 'pending') return undefined;
    if (isLapsed(v, now)) {
      await transition(tx, service, v, 'expired', 'update', now);
      return undefined;
    }
    await transition(tx, service, v, status, 'update', now);
    return v;
  });
  if (!result) throw missing(service, ref);
  await countApproval(deps, service, result);
  return result;
}

/** A verification's send attempts, oldest first. */
export function verificationSends(deps: VerificationDeps, v: Verification): Promise<SendAttempt[]> {
  return deps.store.listSends(v.sid);
}

/** A verification is visible only while pending and within its validity. */
export async function fetchVerification(deps: VerificationDeps, service: Service, ref: string): Promise<Verification> {
  const v = isSid(ref, 'VE')
    ? await deps.store.getVerification(service.sid, ref)
    : await deps.store.getPendingByTo(service.sid, normalizeTarget(ref));
  if (!v || v.status !== 'pending' || isLapsed(v, deps.clock.now().getTime())) throw missing(service, ref);
  return v;
}
