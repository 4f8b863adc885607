/**
 * The short_message of an SMS over SMPP: GSM 03.38 (data_coding 0, one septet per octet, unpacked
 * as SMPP carries it) when every character is in the GSM-7 default alphabet or its extension table,
 * else UCS-2 (data_coding 8, UTF-16 big-endian). A text too long for one message is split into
 * parts, each led by a User Data Header with the concatenation element (IEI 0x00, 8-bit reference),
 * which the handset uses to join them.
 */

/** GSM 03.38 default alphabet, in code order (0x1B, the escape to the extension table, is not a character). */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table: each character is sent as 0x1B and its code, two septets. */
const EXTENDED: Readonly<Record<string, number>> = { '\f': 0x0a, '^': 0x14, '{': 0x28, '}': 0x29, '\\': 0x2f, '[': 0x3c, '~': 0x3d, ']': 0x3e, '|': 0x40, '€': 0x65 };

const BASIC_CODE = new Map([...BASIC].map((c, i) => [c, i] as const).filter(([c]) => c !== '\x1b'));

export const DATA_CODING_GSM7 = 0;
export const DATA_CODING_UCS2 = 8;

/** Whether every character of the text has a GSM-7 code (default alphabet or extension table). */
export function isGsm7(text: string): boolean {
  for (const c of text) if (!BASIC_CODE.has(c) && EXTENDED[c] === undefined) return false;
  return true;
}

/** The septets of one character (one, or two for the extension table); the text must be GSM-7. */
function septets(c: string): number[] {
  const basic = BASIC_CODE.get(c);
  if (basic !== undefined) return [basic];
  return [0x1b, EXTENDED[c]!];
}

/** Single-message capacity, and per part of a concatenated one (the 6-octet UDH takes 7 septets or 3 UCS-2 units). */
const LIMITS = {
  [DATA_CODING_GSM7]: { single: 160, part: 153 },
  [DATA_CODING_UCS2]: { single: 140, part: 134 },
} as const;

export interface Encoded {
  dataCoding: typeof DATA_CODING_GSM7 | typeof DATA_CODING_UCS2;
  /** Each part's short_message, UDH included for a concatenated message. */
  parts: Buffer[];
  /** Whether the parts carry a UDH (esm_class bit 0x40). */
  udh: boolean;
}

/**
 * Encodes a text and splits it where it is too long. Parts never cut a character: a GSM-7 escape
 * pair or a UTF-16 surrogate pair stays whole. `reference` ties the parts together (0-255).
 */
export function encodeMessage(text: string, reference: number): Encoded {
  const gsm = isGsm7(text);
  const dataCoding = gsm ? DATA_CODING_GSM7 : DATA_CODING_UCS2;
  // Each character's octets, so that splitting happens between characters.
  const chars = [...text].map((c) => (gsm ? Buffer.from(septets(c)) : Buffer.from(c, 'utf16le').swap16()));
  const total = chars.reduce((n, b) => n + b.length, 0);
  const limit = LIMITS[dataCoding];
  if (total <= limit.single) return { dataCoding, parts: [Buffer.concat(chars)], udh: false };
  const bodies: Buffer[][] = [[]];
  let used = 0;
  for (const c of chars) {
    if (used + c.length > limit.part) {
      bodies.push([]);
      used = 0;
    }
    bodies.at(-1)!.push(c);
    used += c.length;
  }
  if (bodies.length > 255) throw new Error('a message of more than 255 parts cannot be concatenated');
  const ref = reference & 0xff;
  const parts = bodies.map((b, i) => Buffer.concat([Buffer.from([0x05, 0x00, 0x03, ref, bodies.length, i + 1]), ...b]));
  return { dataCoding, parts, udh: true };
}
