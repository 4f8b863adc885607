import type { Clock } from '../domain/clock.js';
import type { AccountStore } from '../domain/ports.js';

/**
 * Accounts' primary auth tokens, which sign their webhooks; cached briefly, as the API's
 * credentials are, and dropped when the store announces that the account's tokens changed (a
 * promoted token signs the next delivery).
 */
export class AuthTokens {
  private readonly cache = new Map<string, { token: string | undefined; until: number }>();

  constructor(
    private readonly accounts: Pick<AccountStore, 'getAccount'>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Forgets the account's token (every token for null). */
  invalidate(accountSid: string | null): void {
    if (accountSid === null) this.cache.clear();
    else this.cache.delete(accountSid);
  }

  /** The account's auth token, or undefined when there is no such account. */
  async get(accountSid: string): Promise<string | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(accountSid);
    if (hit && hit.until > now) return hit.token;
    const token = (await this.accounts.getAccount(accountSid))?.authToken;
    this.cache.set(accountSid, { token, until: now + this.ttlMs });
    return token;
  }
}
