import { createHmac } from 'node:crypto';
import type { CodeKey } from './code/keys.js';
import { openText, sealText } from './sealing.js';

/** A TOKEN_KEYS entry: the same `id:secret` shape as a code key. */
export type TokenKey = CodeKey;

/** An auth token as it is stored: sealed under the key `keyId` names. */
export interface SealedToken {
  keyId: string;
  sealed: string;
}

/**
 * The keys auth tokens are stored under (TOKEN_KEYS). Tokens must stay recoverable, since webhooks
 * are signed with them as Twilio signs its own, so they are encrypted (AES-256-GCM), not hashed.
 * The first key seals; every key opens, so a token sealed before a rotation still opens, and the
 * start-up step that seals plaintext rows (SqlAccountStore.sealStoredTokens) re-seals those under
 * an older key with the current one. Each token is bound to its account: a sealed value copied to
 * another account's row does not open.
 */
export class TokenKeyring {
  private readonly byId: Map<string, Buffer>;
  readonly currentId: string;

  constructor(keys: readonly TokenKey[]) {
    const first = keys[0];
    if (!first) throw new Error('at least one token key is required');
    this.currentId = first.id;
    // Its own derivation: never the same bytes as a key used elsewhere for something else.
    this.byId = new Map(keys.map((k) => [k.id, createHmac('sha256', k.secret).update('seal|auth-token').digest()]));
  }

  seal(token: string, accountSid: string): SealedToken {
    return { keyId: this.currentId, sealed: sealText(this.byId.get(this.currentId)!, token, accountSid) };
  }

  /** The token, or undefined when its key is no longer configured or it was not sealed for this account. */
  open(s: SealedToken, accountSid: string): string | undefined {
    const key = this.byId.get(s.keyId);
    return key && openText(key, s.sealed, accountSid);
  }
}
