import type { CodeKeyring } from '../../domain/code/keys.js';
import type { CallVoice } from './voices.js';

/**
 * A call's key-press step (the service's DtmfInputRequired) reads the code only after the key, in
 * the answer to the Gather's action. verifyd keeps no code to look up then, so the action URL
 * carries what is to be said, sealed under CODE_KEYS (AES-256-GCM, bound to the attempt): only
 * Twilio, which the code goes to anyway, sees the URL, and the clear text comes back only to it
 * (the route checks the provider's signature first). The expiry inside ends it with the code.
 */
export interface SpokenCode {
  /** The rendered call message, the code spelled in it. */
  message: string;
  voice: CallVoice;
  /** The verification's expiry (epoch ms): the step says nothing after it. */
  expiresAt: number;
}

/** The action URL's query: the attempt (`a`), the sealing key's id (`k`) and the sealed message (`c`). */
export interface GatherQuery {
  a: string;
  k: string;
  c: string;
}

// Its own context, so a code sealed for the send queue (bound to the bare attempt sid) never opens here.
const context = (attemptSid: string) => `call-gather|${attemptSid}`;

export function sealSpokenCode(keys: CodeKeyring, attemptSid: string, spoken: SpokenCode): GatherQuery {
  const payload = JSON.stringify({ m: spoken.message, v: spoken.voice.voice, l: spoken.voice.language, e: spoken.expiresAt });
  const { keyId, sealed } = keys.seal(payload, context(attemptSid));
  return { a: attemptSid, k: keyId, c: sealed };
}

/** What to say, or undefined: a missing or tampered part, a key rotated out, or the code expired at `now`. */
export function openSpokenCode(keys: CodeKeyring, q: Partial<Record<keyof GatherQuery, unknown>>, now: number): Omit<SpokenCode, 'expiresAt'> | undefined {
  if (typeof q.a !== 'string' || typeof q.k !== 'string' || typeof q.c !== 'string') return undefined;
  const opened = keys.open(q.k, q.c, context(q.a));
  if (opened === undefined) return undefined;
  const p = JSON.parse(opened) as { m: string; v: string | null; l: string; e: number };
  if (!(now < p.e)) return undefined;
  return { message: p.m, voice: { voice: p.v, language: p.l } };
}
