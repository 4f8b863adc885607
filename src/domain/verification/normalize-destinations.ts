import { foldEmail } from '../address.js';
import type { Clock } from '../clock.js';
import { UniqueViolation, type VerificationStore, type VerificationTx } from '../ports.js';
import { isLapsed, transition } from './transition.js';

/**
 * The start-up step after migration 006: pending verifications stored before e-mail addresses were
 * folded to lower case. Of the pending case variants of one address in a service the newest stays
 * pending; the others are canceled through transition() (status history and event, as any cancel).
 * Then all of them get the folded To. One transaction, rows locked: idempotent, and nodes starting
 * at once on one PostgreSQL settle each address once (the later node finds nothing left).
 * Returns how many verifications it canceled.
 */
export async function normalizeEmailDestinations(store: VerificationStore, clock: Clock): Promise<number> {
  for (let tries = 1; ; tries++) {
    try {
      return await store.transaction((tx) => settle(tx, clock.now().getTime()));
    } catch (err) {
      // A start on a running node just stored the folded address as a new pending verification;
      // the next pass sees it as the newest variant.
      if (!(err instanceof UniqueViolation) || tries === 3) throw err;
    }
  }
}

async function settle(tx: VerificationTx, now: number): Promise<number> {
  const unfolded = await tx.lockUnfoldedPending();
  const addresses = new Map(unfolded.map((v) => [`${v.serviceSid} ${foldEmail(v.to)}`, v]));
  let canceled = 0;
  for (const { serviceSid, to } of addresses.values()) {
    const folded = foldEmail(to);
    const variants = await tx.lockPendingCaseVariants(serviceSid, folded);
    const newest = variants.reduce((a, b) => (b.dateCreated >= a.dateCreated ? b : a));
    // The foreign key keeps a locked verification's service in place until this commits.
    const service = await tx.getService(serviceSid);
    if (!service) continue;
    const stored = new Map(variants.map((v) => [v, v.to]));
    for (const v of variants) {
      // Events report the To as it is stored from now on (setDestination below: a pending row
      // cannot take it before the others have left `pending`, or the one-pending index objects).
      v.to = folded;
      // Expired on sight, as everywhere else; the sweep would have done it a moment later.
      if (isLapsed(v, now)) await transition(tx, service, v, 'expired', 'expiry', now);
      else if (v !== newest) {
        await transition(tx, service, v, 'canceled', 'normalize', now);
        canceled += 1;
      }
    }
    for (const v of variants) if (stored.get(v) !== folded) await tx.setDestination(v.sid, folded);
  }
  return canceled;
}
