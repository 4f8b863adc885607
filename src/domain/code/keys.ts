import { createHmac, randomBytes } from 'node:crypto';
import { openText, sealText } from '../sealing.js';
import { sameText } from '../constant-time.js';

/**
 * Keys for one-time codes. The first key is current; the others are kept only so that codes issued
 * before a rotation still check (a code lives 10 minutes, so an old key can be dropped after that).
 *
 * Nothing that reveals a code is stored: a generated code is derived on demand as
 * HMAC(key, seed) from a random per-verification seed (so a resend can repeat the same code), and
 * the comparison value is HMAC(key, verificationSid || code). Without the key neither is useful.
 */
export interface CodeKey {
  id: string;
  secret: Buffer;
}

export class CodeKeyring {
  private readonly byId: Map<string, CodeKey>;
  readonly current: CodeKey;
  /** The rate-limit values' key: derived from the current key, apart from the keys that hash or derive codes. */
  private readonly meterKey: Buffer;

  constructor(keys: CodeKey[]) {
    const first = keys[0];
    if (!first) throw new Error('at least one code key is required');
    this.current = first;
    this.byId = new Map(keys.map((k) => [k.id, k]));
    this.meterKey = createHmac('sha256', first.secret).update('meter|rate-limits').digest();
  }

  key(id: string): CodeKey | undefined {
    return this.byId.get(id);
  }

  /** A fresh random seed from which a generated code is derived. */
  static newSeed(): string {
    return randomBytes(16).toString('base64url');
  }

  /**
   * Unbiased decimal digits: HMAC output bytes are used only when below 250 (a multiple of 10),
   * so `byte % 10` is uniform; bytes 250..255 are rejected and the stream continues.
   */
  deriveCode(keyId: string, seed: string, length: number): string | undefined {
    const key = this.key(keyId);
    if (!key) return undefined;
    let digits = '';
    for (let block = 0; digits.length < length; block++) {
      const bytes = createHmac('sha256', key.secret).update(`code|${seed}|${block}`).digest();
      for (const b of bytes) {
        if (b >= 250) continue;
        digits += String(b % 10);
        if (digits.length === length) break;
      }
    }
    return digits;
  }

  hash(keyId: string, verificationSid: string, code: string): string | undefined {
    const key = this.key(keyId);
    if (!key) return undefined;
    return createHmac('sha256', key.secret).update(`hash|${verificationSid}|${code}`).digest('base64url');
  }

  /**
   * The bearer token in an SNA URL, derived like a code so that it is never stored (only its
   * SHA-256 is, to find the session) and the URL can still be shown again on fetch.
   */
  snaToken(keyId: string, attemptSid: string): string | undefined {
    const key = this.key(keyId);
    if (!key) return undefined;
    return createHmac('sha256', key.secret).update(`sna|${attemptSid}`).digest('base64url');
  }

  /**
   * A code sealed (AES-256-GCM under a key derived from the current code key, bound to `context`):
   * a custom code in the send queue until its job ends (context: the attempt), the only place a
   * code is kept reversibly, and a call's message in its key-press URL (channels/twilio/gather.ts),
   * which verifyd does not keep at all. The key id is kept for rotation.
   */
  seal(code: string, context: string): { keyId: string; sealed: string } {
    const key = this.current;
    return { keyId: key.id, sealed: sealText(sealKey(key), code, context) };
  }

  /** The sealed code, or undefined when its key is gone or the text was not sealed for `context`. */
  open(keyId: string, sealed: string, context: string): string | undefined {
    const key = this.key(keyId);
    return key && openText(sealKey(key), sealed, context);
  }

  /**
   * How a Service Rate Limits value (an IP address, a user id) is stored in its counters: HMAC
   * under the current key, cut to 128 bits (no collisions in practice; a shorter key in every
   * counter row). Unkeyed, a hash of an IPv4 address gives it back to anyone who tries all 2^32.
   * A key rotation starts every value's windows again (docs/protection.md).
   */
  meteredValue(value: string): string {
    return createHmac('sha256', this.meterKey).update(value, 'utf8').digest().subarray(0, 16).toString('base64url');
  }

  /** Constant-time comparison of a candidate code against the stored hash. */
  matches(keyId: string, verificationSid: string, candidate: string, storedHash: string): boolean {
    const computed = this.hash(keyId, verificationSid, candidate);
    if (computed === undefined) return false;
    return sameText(computed, storedHash);
  }
}

/** The sealing key: its own derivation, so it never equals a key that hashes or derives codes. */
const sealKey = (key: CodeKey): Buffer => createHmac('sha256', key.secret).update('seal|send-queue').digest();

/**
 * Parses `id:secret` pairs separated by commas. A secret is used as the bytes of its text (so a
 * hex or base64 string works as is) and must be at least 32 bytes long.
 */
export function parseCodeKeys(spec: string, name = 'CODE_KEYS'): CodeKey[] {
  const keys = spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const idx = part.indexOf(':');
      if (idx <= 0) throw new Error(`${name} entries must look like id:secret`);
      const secret = Buffer.from(part.slice(idx + 1), 'utf8');
      if (secret.length < 32) throw new Error(`each ${name} secret must be at least 32 bytes`);
      return { id: part.slice(0, idx), secret };
    });
  if (keys.length === 0) throw new Error(`${name} holds no id:secret entry`);
  // A repeated id would be ambiguous: the keyring looks keys up by id, so codes issued under the
  // first entry would be checked against the second one's secret.
  const ids = keys.map((k) => k.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup !== undefined) throw new Error(`${name} has the id ${JSON.stringify(dup)} twice`);
  return keys;
}
