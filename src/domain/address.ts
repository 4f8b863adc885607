import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { verifyInvalidParam } from './errors.js';

export interface PhoneInfo {
  e164: string;
  country: string | null;
}

/** Strict E.164 (a leading +) and valid for its country's numbering plan, as Twilio requires. */
export function parsePhone(value: string, param = 'To'): PhoneInfo {
  if (!/^\+[1-9]\d{6,14}$/.test(value)) throw verifyInvalidParam(param);
  const parsed = parsePhoneNumberFromString(value);
  if (!parsed || !parsed.isValid()) throw verifyInvalidParam(param);
  return { e164: parsed.number, country: parsed.country ?? null };
}

// Deliberately simple: one @, no spaces, a dot in the domain, and RFC 5321 length limits.
const EMAIL = /^[^\s@"<>()[\]\\,;:]{1,64}@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/**
 * A sender's display name (an e-mail's From name): it goes into a header, so no control character
 * (CR and LF above all) may start another header line.
 */
export function isDisplayName(value: string): boolean {
  return /^[^\u0000-\u001f\u007f]{1,100}$/.test(value);
}

/** A valid address in the form it is stored, compared and echoed in (see foldEmail). */
export function parseEmail(value: string, param = 'To'): string {
  if (!isEmail(value)) throw verifyInvalidParam(param);
  return foldEmail(value);
}

/**
 * One address, one destination: mailbox providers deliver Victim@Example.com and
 * victim@example.com to the same mailbox, so the lockout and the one-pending rule must not tell
 * them apart. Only A-Z are folded: the domain is ASCII (EMAIL), and for the rare non-ASCII local
 * part there is no case rule providers agree on. ASCII folding is also exactly what SQLite's
 * lower() does, so the stored rows' migration folds the same way (docs/wire-decisions.md).
 */
export function foldEmail(value: string): string {
  return value.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/**
 * The form a destination was stored in, for lookups by `To`: phone numbers as libphonenumber's
 * E.164 (a start with +4407911123456 is stored as +447911123456), e-mail addresses folded to
 * lower case, anything else as given.
 */
export function normalizeTarget(value: string): string {
  if (value.includes('@')) return foldEmail(value);
  try {
    return parsePhone(value).e164;
  } catch {
    return value;
  }
}
