import type { SendAttempt } from '../types.js';
import type { PageQuery } from './paging.js';

/** Filters of GET /v2/Attempts (all optional, combined with AND). */
export interface AttemptFilter {
  createdAfter?: number;
  createdBefore?: number;
  to?: string;
  country?: string;
  channel?: string;
  serviceSid?: string;
  verificationSid?: string;
  converted?: boolean;
}

/** Filters of GET /v2/Attempts/Summary. */
export interface SummaryFilter {
  createdAfter?: number;
  createdBefore?: number;
  country?: string;
  channel?: string;
  serviceSid?: string;
  /** A prefix of the destination, e.g. "+1" or "+4477". */
  destinationPrefix?: string;
}

export interface AttemptTotals {
  total: number;
  converted: number;
}

/** The Attempts API's reads over every verification's sends, and their retention. */
export interface AttemptStore {
  /** One page of an account's attempts, newest first (see PageQuery). */
  listAttempts(accountSid: string, filter: AttemptFilter, page: PageQuery): Promise<SendAttempt[]>;
  getAttempt(accountSid: string, sid: string): Promise<SendAttempt | undefined>;
  summarizeAttempts(accountSid: string, filter: SummaryFilter): Promise<AttemptTotals>;
  /**
   * A delivery receipt: moves the attempt the provider `providerName` knows as `providerMessageId`
   * to `status` (a message_status or call_status) with `errorCode` (kept as it was when null), but
   * only forward (delivery-status.ts): a late or repeated receipt changes nothing. True when the
   * attempt moved; false when it is unknown or already as far or further.
   */
  updateDeliveryStatus(providerName: string, providerMessageId: string, status: string, errorCode: number | null, at: number): Promise<boolean>;
  /** Deletes attempts created before `before`; returns how many. */
  purgeAttempts(before: number, limit: number): Promise<number>;
}
