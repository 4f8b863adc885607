import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { SnaStore } from '../ports.js';
import { snaTokenHash } from './start.js';

export type SnaInvocation = { ok: true; clientToken: string } | { ok: false };

/** What the SNA simulator's invocation needs. */
export interface SnaDeps {
  store: SnaStore;
  clock: Clock;
}

/**
 * The carrier simulator behind `sna.url`: the first call within the URL's validity proves
 * possession of the number; any later call, or a call after expiry, fails. The client token is
 * derived from the URL token, so only the device that held the URL can present it at check time.
 */
export async function invokeSna(deps: SnaDeps, token: string): Promise<SnaInvocation> {
  const clientToken = createHash('sha256').update(`client|${token}`).digest('base64url').slice(0, 32);
  const used = await deps.store.useSnaSession(snaTokenHash(token), deps.clock.now().getTime(), snaTokenHash(clientToken));
  return used ? { ok: true, clientToken } : { ok: false };
}
