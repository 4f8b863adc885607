import type { VerificationStore } from '../ports.js';
import type { Service } from '../types.js';
import { transition } from './transition.js';

/**
 * Expires pending verifications whose validity ended by `now`, through the same transition() as
 * every other status change (status history, attempt outcome). Returns how many it expired.
 */
export function expireDue(store: VerificationStore, now: number, limit: number): Promise<number> {
  return store.transaction(async (tx) => {
    const due = await tx.lockDue(now, limit);
    const services = new Map<string, Service | undefined>();
    for (const v of due) {
      if (!services.has(v.serviceSid)) services.set(v.serviceSid, await tx.getService(v.serviceSid));
      const service = services.get(v.serviceSid);
      // The foreign key keeps a locked verification's service in place until this commits.
      if (service) await transition(tx, service, v, 'expired', 'expiry', now);
    }
    return due.length;
  });
}
