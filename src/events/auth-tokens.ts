import type { Clock } from '../domain/clock.js';
import type { AccountStore } from '../domain/ports.js';

const TOKEN_TTL_MS = 30_000;

/** Accounts' auth tokens, which sign their webhooks; cached briefly, as the API's credentials are. */
export class AuthTokens {
  private readonly cache = new Map<string, { token: string | undefined; until: number }>();

  constructor(
    private readonly accounts: Pick<AccountStore, 'getAccount'>,
    private readonly clock: Clock,
  ) {}

  /** The account's auth token, or undefined when there is no such account. */
  async get(accountSid: string): Promise<string | undefined> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(accountSid);
    if (hit && hit.until > now) return hit.token;
    const token = (await this.accounts.getAccount(accountSid))?.authToken;
    this.cache.set(accountSid, { token, until: now + TOKEN_TTL_MS });
    return token;
  }
}
