import type { Store } from '../ports.js';
import { transition } from './transition.js';

/**
 * Expires pending verifications whose validity ended by `now`, through the same transition() as
 * every other status change (status history, attempt outcome). Returns how many it expired.
 */
export function expireDue(store: Store, now: number, limit: number): Promise<number> {
  return store.transaction(async (tx) => {
    const due = await tx.lockDue(now, limit);
    for (const v of due) await transition(tx, v, 'expired', 'expiry', now);
    return due.length;
  });
}
