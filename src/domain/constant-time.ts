import { timingSafeEqual } from 'node:crypto';

/** Whether two byte strings are equal, in a time that does not depend on where they differ. */
export const sameBytes = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** Whether two texts are equal (as UTF-8), in a time that does not depend on where they differ. */
export const sameText = (a: string, b: string): boolean => sameBytes(Buffer.from(a), Buffer.from(b));
