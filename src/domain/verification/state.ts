import type { StatusCause, VerificationStatus } from '../types.js';

/**
 * The verification lifecycle (diagram in docs/lifecycle.md). Only `pending` has ways out; every
 * other status is final, and a verification in a final status is no longer found by the API.
 */
const TRANSITIONS: Record<VerificationStatus, Partial<Record<VerificationStatus, readonly StatusCause[]>>> = {
  pending: {
    approved: ['check', 'update'],
    canceled: ['update', 'normalize'],
    expired: ['expiry', 'start', 'check', 'update'],
    max_attempts_reached: ['check'],
  },
  approved: {},
  canceled: {},
  expired: {},
  max_attempts_reached: {},
};

export function canTransition(from: VerificationStatus, to: VerificationStatus, cause: StatusCause): boolean {
  return TRANSITIONS[from][to]?.includes(cause) ?? false;
}

export const MAX_SEND_ATTEMPTS = 5;
export const MAX_CHECK_ATTEMPTS = 5;
