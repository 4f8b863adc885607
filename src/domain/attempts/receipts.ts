import type { AttemptsDeps } from './attempts.js';

/**
 * A provider's delivery receipts move an attempt through the statuses of the Attempts API's
 * channel_data: `message_status` for messages, `call_status` for calls (both kept in the attempt's
 * one status column). Receipts can repeat and arrive out of order, so a status is only ever
 * entered from one that precedes it; everything else is ignored.
 */

/** Where a message has not been handed on yet. */
const MESSAGE_WAITING = ['accepted', 'scheduled', 'queued'] as const;
const MESSAGE_DONE = ['delivered', 'undelivered', 'failed', 'canceled', 'partially_delivered'] as const;

/** Where a call has not been answered yet. */
const CALL_WAITING = ['queued', 'ringing'] as const;
const CALL_DONE = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;

/** Each status a receipt may set, and the statuses it may follow. `failed` and `canceled` serve both kinds. */
const PRECEDING: Readonly<Record<string, readonly string[]>> = {
  sending: MESSAGE_WAITING,
  sent: [...MESSAGE_WAITING, 'sending'],
  ...Object.fromEntries(MESSAGE_DONE.map((s) => [s, [...MESSAGE_WAITING, 'sending', 'sent']])),
  read: [...MESSAGE_WAITING, 'sending', 'sent', 'delivered'],
  ringing: ['queued'],
  'in-progress': CALL_WAITING,
  ...Object.fromEntries(CALL_DONE.map((s) => [s, [...CALL_WAITING, 'in-progress']])),
};
for (const s of ['failed', 'canceled']) {
  (PRECEDING as Record<string, readonly string[]>)[s] = [...new Set([...MESSAGE_WAITING, 'sending', 'sent', ...CALL_WAITING, 'in-progress'])];
}

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

/** Records a receipt on the attempt it names; resolves whether the attempt moved. */
export function recordReceipt(deps: Pick<AttemptsDeps, 'store' | 'clock'>, r: Receipt): Promise<boolean> {
  return deps.store.updateDeliveryStatus(r.providerName, r.providerMessageId, r.status, r.errorCode, deps.clock.now().getTime());
}
