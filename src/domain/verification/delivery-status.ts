/**
 * The order an attempt's message_status (or call_status) moves in. Receipts arrive late and out
 * of order (a `sent` after `delivered`, a retried callback); an attempt only ever moves to a later
 * rank, so what it shows is the furthest the message got. Final statuses share a rank: the first
 * one recorded stands, except `read`, which WhatsApp reports after `delivered`.
 */
const RANK: Record<string, number> = {
  queued: 0,
  accepted: 0,
  scheduled: 0,
  sending: 1,
  ringing: 1,
  sent: 2,
  'in-progress': 2,
  delivered: 3,
  undelivered: 3,
  failed: 3,
  canceled: 3,
  partially_delivered: 3,
  completed: 3,
  busy: 3,
  'no-answer': 3,
  read: 4,
};

/** A status the attempts accept (the message and call status enums of the Verify spec). */
export const isDeliveryStatus = (status: string): boolean => Object.hasOwn(RANK, status);

/** The statuses an attempt may move from to `status`: those of a lower rank. */
export function statusesBefore(status: string): string[] {
  const rank = RANK[status];
  if (rank === undefined) throw new Error(`not a delivery status: ${status}`);
  return Object.keys(RANK).filter((s) => RANK[s]! < rank);
}
