import type { AttemptsDeps } from './attempts.js';

/**
 * A provider's delivery receipts move an attempt through the statuses of the Attempts API's
 * channel_data: `message_status` for messages, `call_status` for calls (both kept in the attempt's
 * one status column). Receipts can repeat and arrive out of order, so a status is only ever
 * entered from one that precedes it; everything else is ignored.
 */

/** Where a message has not been handed on yet, and every status before its end. */
const MESSAGE_WAITING = ['accepted', 'scheduled', 'queued'];
const MESSAGE_UNFINISHED = [...MESSAGE_WAITING, 'sending', 'sent'];
/** Where a call has not been answered yet, and every status before its end. */
const CALL_WAITING = ['queued', 'ringing'];
const CALL_UNFINISHED = [...CALL_WAITING, 'in-progress'];
/** Messages and calls both end in these. */
const EITHER_UNFINISHED = [...new Set([...MESSAGE_UNFINISHED, ...CALL_UNFINISHED])];

/** Each status a receipt may set, and the statuses it may follow. */
const PRECEDING: Readonly<Record<string, readonly string[]>> = {
  sending: MESSAGE_WAITING,
  sent: [...MESSAGE_WAITING, 'sending'],
  delivered: MESSAGE_UNFINISHED,
  undelivered: MESSAGE_UNFINISHED,
  partially_delivered: MESSAGE_UNFINISHED,
  read: [...MESSAGE_UNFINISHED, 'delivered'],
  ringing: ['queued'],
  'in-progress': CALL_WAITING,
  completed: CALL_UNFINISHED,
  busy: CALL_UNFINISHED,
  'no-answer': CALL_UNFINISHED,
  failed: EITHER_UNFINISHED,
  canceled: EITHER_UNFINISHED,
};

/** The statuses an attempt may be in for a receipt to move it to `status` (none: the receipt changes nothing). */
export function precedingStatuses(status: string): readonly string[] {
  return PRECEDING[status] ?? [];
}

export interface Receipt {
  providerName: string;
  providerMessageId: string;
  /** A message or call status of the Attempts API. */
  status: string;
  errorCode: number | null;
}

/** What a receipt says of a send: it failed (a later provider may take over), it arrived, or neither yet. */
const FAILED = new Set(['failed', 'undelivered', 'busy', 'no-answer']);
const ARRIVED = new Set(['delivered', 'read', 'completed']);
/** A status that says the message arrived: final, no receipt needed to end the wait for one. */
export const arrived = (status: string): boolean => ARRIVED.has(status);

/**
 * Records a receipt on the attempt it names; resolves whether the attempt moved. Every provider's
 * receipts come here, so failover on receipts holds for all: a failure for a send whose route has
 * another provider left puts it back in the queue for that one instead of ending the attempt
 * failed; an arrival ends the wait.
 */
export async function recordReceipt(deps: Pick<AttemptsDeps, 'store' | 'clock'>, r: Receipt): Promise<boolean> {
  const at = deps.clock.now().getTime();
  if (FAILED.has(r.status) && (await deps.store.failOverOnReceipt(r.providerName, r.providerMessageId, r.errorCode, at))) return true;
  const moved = await deps.store.updateDeliveryStatus(r.providerName, r.providerMessageId, r.status, r.errorCode, at);
  if (arrived(r.status)) await deps.store.endAwaitingSend(r.providerName, r.providerMessageId, at);
  return moved;
}
