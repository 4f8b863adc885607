import type { Dialect } from './index.js';

/**
 * The carrier lookup a start made (docs/lookup.md), kept on the verification so a fetch answers
 * the `lookup` the start did. JSON text, read and written whole; null where no lookup was made
 * (every row before this migration), which serializes as `{}` as before.
 */
export function verificationLookupSchema(_d: Dialect): string[] {
  return ['ALTER TABLE verifications ADD COLUMN lookup TEXT'];
}
