import { SEND_FAILED_UNKNOWN } from '../../domain/verification/sending.js';

/**
 * What Vonage's answers mean in Twilio's terms (docs/delivery.md, "SMS through Vonage's SMS API", has the table).
 * Send statuses are the `messages[].status` of POST /sms/json; receipt statuses and error codes
 * are those of its delivery receipts (DLR `status` and `err-code`).
 */

/** Send statuses that say "not now" (throttled, an internal error, too many binds): thrown, so the send is retried. */
export const VONAGE_RETRY_STATUSES: ReadonlySet<string> = new Set(['1', '5', '10']);

/** Send statuses that refuse the message for good, and the Twilio error code recorded for each. */
const SEND_REFUSALS: Readonly<Record<string, number>> = {
  '2': 21604, // missing parameters: verifyd left out a required field (To, From or Body in Twilio's terms)
  '3': 21211, // invalid parameters: mostly the number
  '4': 20003, // invalid credentials
  '6': 21614, // invalid message: an unrecognised number prefix
  '7': 21610, // barred number
  '8': 30002, // the account is suspended
  '9': 30002, // no credit left: the account cannot send
  '11': 20003, // the account is not enabled for the SMS API
  '12': 21617, // message too long
  '14': 20003, // invalid signature
  '15': 21212, // sender not allowed
  '22': 21211, // invalid network code
  '23': 21609, // invalid callback URL
  '29': 21608, // not a whitelisted destination (a trial account)
  '32': 20003, // signature and secret together
  '33': 30005, // the number is deactivated
};

export const vonageSendError = (status: string): number => SEND_REFUSALS[status] ?? SEND_FAILED_UNKNOWN;

/** A receipt's `status`, as the attempt's message_status; `unknown` reports nothing (null). */
const RECEIPT_STATUSES: Readonly<Record<string, string | null>> = {
  accepted: 'sent', // taken by the downstream carrier
  buffered: 'sent', // the carrier holds it for a handset that is away
  delivered: 'delivered',
  expired: 'undelivered', // the carrier gave up on the handset
  failed: 'undelivered', // the carrier could not deliver it
  rejected: 'failed', // refused before it was sent on
  unknown: null,
};

export const vonageReceiptStatus = (status: string): string | null => RECEIPT_STATUSES[status] ?? null;

/** A receipt's `err-code`, as a Twilio delivery error code. */
const RECEIPT_ERRORS: Readonly<Record<string, number>> = {
  '2': 30003, // absent subscriber, temporary
  '3': 30005, // absent subscriber, permanent
  '4': 30004, // call barred by user
  '5': 30006, // portability error
  '6': 30007, // anti-spam rejection
  '7': 30003, // handset busy
  '9': 30005, // illegal number
  '10': 30007, // illegal message
  '11': 30006, // unroutable
  '12': 30003, // destination unreachable
  '13': 30004, // subscriber age restriction
  '14': 30004, // number blocked by carrier
  '16': 30001, // gateway quota exceeded
  '50': 30007, // entity filter
  '51': 30007, // header filter
  '52': 30007, // content filter
  '53': 30007, // consent filter
  '54': 30007, // regulation error
};

/** The error code a receipt with this status and err-code records: none unless the message failed. */
export function vonageReceiptError(status: string | null, errCode: string | undefined): number | null {
  if (status !== 'failed' && status !== 'undelivered') return null;
  return (errCode !== undefined && RECEIPT_ERRORS[errCode]) || SEND_FAILED_UNKNOWN;
}
