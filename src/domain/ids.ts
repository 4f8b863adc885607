import { randomBytes } from 'node:crypto';

/** A Twilio SID: two-letter prefix + 32 lowercase hex characters. */
export const newSid = (prefix: string): string => prefix + randomBytes(16).toString('hex');

export const isSid = (value: unknown, prefix: string): value is string =>
  typeof value === 'string' && value.length === 34 && value.startsWith(prefix) && /^[0-9a-fA-F]{32}$/.test(value.slice(2));

export type IdGenerator = (prefix: string) => string;
