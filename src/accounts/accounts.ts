import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../domain/clock.js';
import { newSid } from '../domain/ids.js';
import type { AccountStore } from '../domain/ports.js';
import type { Account } from '../domain/types.js';

const token = () => randomBytes(16).toString('hex');

type AccountOptions = { sid?: string; authToken?: string; friendlyName?: string };

const newAccount = (clock: Clock, opts: AccountOptions): Account => ({
  sid: opts.sid ?? newSid('AC'),
  authToken: opts.authToken ?? token(),
  secondaryAuthToken: null,
  friendlyName: opts.friendlyName ?? 'verifyd account',
  dateCreated: clock.now().getTime(),
});

export async function createAccount(store: AccountStore, clock: Clock, opts: AccountOptions = {}): Promise<Account> {
  const account = newAccount(clock, opts);
  await store.insertAccount(account);
  return account;
}

/** Creates an API key; the secret is returned once and only its SHA-256 is kept. */
export async function createApiKey(store: AccountStore, clock: Clock, accountSid: string, friendlyName = 'verifyd key'): Promise<{ sid: string; secret: string }> {
  const secret = randomBytes(24).toString('base64url');
  const sid = newSid('SK');
  await store.insertApiKey({ sid, accountSid, secretHash: createHash('sha256').update(secret).digest('hex'), friendlyName, dateCreated: clock.now().getTime() });
  return { sid, secret };
}

/**
 * Twilio's secondary auth token: a new one is made (replacing any earlier secondary) and works
 * beside the primary, so clients can move to it before `promoteToken`. Undefined: no such account.
 */
export async function rotateToken(store: AccountStore, accountSid: string): Promise<string | undefined> {
  const secondary = token();
  return (await store.setSecondaryToken(accountSid, secondary)) ? secondary : undefined;
}

/**
 * The secondary token becomes the primary one (which signs webhooks from then on) and the old
 * primary stops working on every node (the store announces the change). False: no secondary token.
 */
export function promoteToken(store: AccountStore, accountSid: string): Promise<boolean> {
  return store.promoteSecondaryToken(accountSid);
}

/**
 * Whether TWILIO_AUTH_TOKEN names an existing account whose primary token is another one (it was
 * rotated since the first start, or the variable was edited): the stored token stays in force.
 */
export async function bootstrapTokenDiffers(store: AccountStore, env: { accountSid: string | null; authToken: string | null }): Promise<boolean> {
  if (!env.accountSid || !env.authToken) return false;
  const account = await store.getAccount(env.accountSid);
  if (!account) return false;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return !timingSafeEqual(digest(env.authToken), digest(account.authToken));
}

/**
 * On first start with an empty store: the account from TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, or a
 * generated one. Returns the generated credentials so the caller can print them once; `keep` gets
 * them before they are stored, and nothing is stored if it throws.
 */
export async function bootstrapAccount(
  store: AccountStore,
  clock: Clock,
  env: { accountSid: string | null; authToken: string | null },
  keep: (generated: Account) => void = () => undefined,
): Promise<Account | null> {
  if (env.accountSid && env.authToken) {
    if (await store.getAccount(env.accountSid)) return null;
    try {
      await createAccount(store, clock, { sid: env.accountSid, authToken: env.authToken });
    } catch (err) {
      // Another node created it at the same moment.
      if (!(await store.getAccount(env.accountSid))) throw err;
    }
    return null;
  }
  if ((await store.countAccounts()) > 0) return null;
  const account = newAccount(clock, {});
  keep(account);
  await store.insertAccount(account);
  return account;
}
