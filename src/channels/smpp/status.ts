/** SMPP 3.4 command_status values (5.1.3) verifyd acts on, and what each means for a send. */
export const ESME = {
  ROK: 0x00,
  RINVMSGLEN: 0x01,
  RINVBNDSTS: 0x04,
  RSYSERR: 0x08,
  RINVSRCADR: 0x0a,
  RINVDSTADR: 0x0b,
  RBINDFAIL: 0x0d,
  RINVPASWD: 0x0e,
  RINVSYSID: 0x0f,
  RMSGQFUL: 0x14,
  RSUBMITFAIL: 0x45,
  RINVSRCTON: 0x48,
  RINVSRCNPI: 0x49,
  RINVDSTTON: 0x50,
  RINVDSTNPI: 0x51,
  RTHROTTLED: 0x58,
  RX_T_APPN: 0x64,
} as const;

/** The SMSC asks verifyd to slow down: the bind pauses and the message is submitted again. */
export const isThrottle = (status: number) => status === ESME.RTHROTTLED || status === ESME.RMSGQFUL;

/** A refusal for now (the SMSC's own trouble, or a bind it lost track of): thrown, so the send queue retries. */
export const isTransient = (status: number) =>
  status === ESME.RINVBNDSTS || status === ESME.RSYSERR || status === ESME.RSUBMITFAIL || status === ESME.RX_T_APPN;

/**
 * The Twilio error code of a permanent refusal: 21211 "Invalid 'To' Phone Number" for the
 * destination, 21212 "Invalid 'From' Phone Number" for the source address, 30008 "Unknown error"
 * for anything else.
 */
export function refusalCode(status: number): number {
  if (status === ESME.RINVDSTADR || status === ESME.RINVDSTTON || status === ESME.RINVDSTNPI) return 21211;
  if (status === ESME.RINVSRCADR || status === ESME.RINVSRCTON || status === ESME.RINVSRCNPI) return 21212;
  return 30008;
}

/** For logs and thrown errors: `0x58`, never a value from the message. */
export const hex = (status: number) => `0x${status.toString(16).padStart(2, '0')}`;

/** The SMSC could not take a message now (no bind, a lost connection, a temporary refusal); the send may succeed later. */
export class SmppUnavailable extends Error {
  override readonly name = 'SmppUnavailable';
}
