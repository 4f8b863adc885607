import { SEND_FAILED_UNKNOWN } from '../../domain/verification/sending.js';

/**
 * Meta's error codes (Graph API and WhatsApp Cloud API), sorted by what verifyd does with them.
 * Meta answers most of them with HTTP 400 whether they are lasting or not, so the code decides.
 */

/** Worth trying again later: throttling, and Meta's own trouble. */
const TEMPORARY = new Set([
  1, // API unknown (Meta: retry later)
  2, // API service: temporary downtime
  4, // API too many calls (app rate limit)
  17, // user request limit
  80007, // WhatsApp Business Account rate limit
  130429, // throughput rate limit
  131000, // something went wrong
  131016, // service unavailable
  131048, // spam rate limit
  131056, // too many messages to the same recipient (pair rate limit)
  133004, // server temporarily unavailable
]);

/** Refusals with a Twilio counterpart: the attempt records Twilio's code, as Twilio's WhatsApp sender would. */
const TWILIO_CODES: ReadonlyMap<number, number> = new Map([
  [0, 20003], // AuthException
  [190, 20003], // access token expired or invalid
  [10, 20003], // permission denied
  [200, 20003], // permission error
  [131026, 63024], // message undeliverable: not a WhatsApp user, old client, terms not accepted
  [131030, 63024], // recipient not in the allowed list (a test number)
  [131047, 63016], // outside the customer service window
  [131049, 63049], // Meta chose not to deliver
  [130472, 63032], // the number is part of a WhatsApp experiment
  [132000, 63028], // the template's parameter count differs from what was sent
  [132001, 63027], // the template does not exist in that language
]);

/** The error object of Meta's answers and of a failed status's `errors[]`: its code, when it has one. */
export function metaErrorCode(error: unknown): number | null {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 0 ? code : null;
}

export const isTemporary = (metaCode: number | null): boolean => metaCode !== null && TEMPORARY.has(metaCode);

/** The Twilio error code an attempt records for a Meta refusal; 30008 (unknown error) for one without a counterpart. */
export function twilioCodeFor(metaCode: number | null): number {
  return (metaCode !== null && TWILIO_CODES.get(metaCode)) || SEND_FAILED_UNKNOWN;
}
