import { foldSql, unfoldedEmailSql } from '../fold.js';
import type { Dialect } from './index.js';

/**
 * E-mail destinations are stored folded to lower case (domain/address.ts foldEmail). This folds
 * what older versions stored as given: attempts, inbox messages, and every verification except a
 * pending one with a pending case variant in its service. Folding those would break the one-pending
 * index; which of them stays pending is the domain's call (a status change with its history and
 * event), made at start-up by normalizeEmailDestinations (compose.ts), which also folds them.
 */
export function foldEmailCaseSchema(d: Dialect): string[] {
  const fold = (table: string) => `UPDATE ${table} SET to_addr = ${foldSql(d, 'to_addr')} WHERE ${unfoldedEmailSql(d, 'to_addr')}`;
  const hasPendingVariant = `status = 'pending' AND EXISTS (SELECT 1 FROM verifications o
     WHERE o.service_sid = verifications.service_sid AND o.status = 'pending' AND o.sid <> verifications.sid
       AND ${foldSql(d, 'o.to_addr')} = ${foldSql(d, 'verifications.to_addr')})`;
  return [fold('verification_sends'), fold('inbox_messages'), `${fold('verifications')} AND NOT (${hasPendingVariant})`];
}
