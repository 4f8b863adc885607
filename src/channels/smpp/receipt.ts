/**
 * SMPP 3.4 delivery receipts (deliver_sm with esm_class "MC delivery receipt"): the message id and
 * final state, from the receipted_message_id and message_state TLVs when the SMSC sends them, else
 * from the text of Appendix B (`id:… sub:… dlvrd:… submit date:… done date:… stat:DELIVRD err:…`),
 * mapped onto the Attempts API's message_status and a Twilio error code (docs/delivery.md, "SMPP").
 */

/** message_state TLV values (SMPP 3.4, 5.3.2.35) and their Appendix B stat words. */
const STATE_WORDS: Readonly<Record<number, string>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/**
 * Each final or intermediate state as an attempt status and error code: 30003 "Unreachable
 * destination handset" where the handset never took it in time, 30007 "Message filtered" for the
 * carrier's refusal, 30008 "Unknown error" for a message deleted by the SMSC. UNKNOWN moves nothing.
 */
const STAT_STATUS: Readonly<Record<string, { status: string; errorCode: number | null }>> = {
  ENROUTE: { status: 'sent', errorCode: null },
  ACCEPTD: { status: 'sent', errorCode: null },
  DELIVRD: { status: 'delivered', errorCode: null },
  UNDELIV: { status: 'undelivered', errorCode: 30003 },
  EXPIRED: { status: 'undelivered', errorCode: 30003 },
  REJECTD: { status: 'undelivered', errorCode: 30007 },
  DELETED: { status: 'failed', errorCode: 30008 },
};

export interface SmppReceipt {
  messageId: string;
  /** The Appendix B stat word (DELIVRD, UNDELIV...). */
  stat: string;
  /** The SMSC's own `err:` value, when the text has one (network specific, kept for logs). */
  err: string | null;
}

// Keys are case-insensitive in the wild; `submit date` and `done date` contain a space.
const fieldPattern = (key: string) => new RegExp(`(?:^|\\s)${key}:(\\S*)`, 'i');
const ID = fieldPattern('id');
const STAT = fieldPattern('stat');
const ERR = fieldPattern('err');

/** The fields of an Appendix B receipt text; null when it has no `id:` or no `stat:`. */
export function parseReceiptText(text: string): SmppReceipt | null {
  const messageId = ID.exec(text)?.[1];
  const stat = STAT.exec(text)?.[1];
  if (!messageId || !stat) return null;
  return { messageId, stat: stat.toUpperCase(), err: ERR.exec(text)?.[1] ?? null };
}

/** A receipt's TLVs, which win over its text where both are present. */
export interface ReceiptTlvs {
  receipted_message_id?: unknown;
  message_state?: unknown;
}

/** The receipt a deliver_sm carries, from its TLVs and text; null when it names no message or no state. */
export function readReceipt(text: string, tlvs: ReceiptTlvs): SmppReceipt | null {
  const fromText = parseReceiptText(text);
  const tlvId = typeof tlvs.receipted_message_id === 'string' && tlvs.receipted_message_id !== '' ? tlvs.receipted_message_id : undefined;
  const tlvStat = typeof tlvs.message_state === 'number' ? STATE_WORDS[tlvs.message_state] : undefined;
  const messageId = tlvId ?? fromText?.messageId;
  const stat = tlvStat ?? fromText?.stat;
  if (!messageId || !stat) return null;
  return { messageId, stat, err: fromText?.err ?? null };
}

/** The attempt status and error code a stat word means; null for UNKNOWN or a word SMPP 3.4 does not define. */
export function statusOfStat(stat: string): { status: string; errorCode: number | null } | null {
  return STAT_STATUS[stat] ?? null;
}
