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

/** Which provider sent an attempt, and its id for the message or call. */
export interface SentBy {
  name: string;
  messageId: string;
}

/** The Attempts API's reads over every verification's sends, and their retention. */
export interface AttemptStore {
  /** One page of an account's attempts, newest first (see PageQuery). */
  listAttempts(accountSid: string, filter: AttemptFilter, page: PageQuery): Promise<SendAttempt[]>;
  getAttempt(accountSid: string, sid: string): Promise<SendAttempt | undefined>;
  summarizeAttempts(accountSid: string, filter: SummaryFilter): Promise<AttemptTotals>;
  /**
   * A provider's receipt: moves the attempt that `providerName` sent as `providerMessageId` to
   * `status` (a message or call status) with `errorCode`, only forward (precedingStatuses in
   * domain/attempts/receipts.ts). Resolves whether an attempt moved.
   */
  updateDeliveryStatus(providerName: string, providerMessageId: string, status: string, errorCode: number | null, at: number): Promise<boolean>;
  /**
   * A failure receipt for a send whose job waits for that provider's receipt (a later provider of
   * its route could take over): in one transaction the job is due again at `at` with the try
   * recorded as `failure_receipt`, and the attempt is `queued` again without that provider's
   * message id. Resolves false (nothing changed) when no job waits for it.
   */
  failOverOnReceipt(providerName: string, providerMessageId: string, errorCode: number | null, at: number): Promise<boolean>;
  /** A delivery receipt ends the job that waited for it (its sealed code wiped). */
  endAwaitingSend(providerName: string, providerMessageId: string, at: number): Promise<void>;
  /** Deletes attempts created before `before`; returns how many. */
  purgeAttempts(before: number, limit: number): Promise<number>;
}
