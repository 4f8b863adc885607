/** Thrown by a store when a unique constraint rejects a write (e.g. two pending verifications for one To). */
export class UniqueViolation extends Error {}

/** Thrown by a store when a write names a parent that no longer exists (e.g. a service deleted meanwhile). */
export class MissingParent extends Error {}

/** Thrown by a store when an account already has `limit` of what it was asked to add (ACCOUNT_MAX_*). */
export class QuotaReached extends Error {
  constructor(readonly limit: number) {
    super(`quota of ${limit} reached`);
  }
}
