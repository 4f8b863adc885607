import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Price } from '../domain/types.js';
import type { CodeChannel, CodeSender, InlineSendTx, RouteStop, SendOutcome, SendRequest } from '../domain/verification/sending.js';
import { ProviderHealth, type CircuitSettings } from './health.js';
import { InboxProvider } from './inbox.js';
import { wasNotReached } from './provider.js';
import type { ProviderRegistry } from './registry.js';
import { render } from './render/index.js';

/** VERIFYD_CONFIG `failover`: when a missing receipt moves a send on, and the circuits' settings. */
export interface FailoverSettings {
  receiptTimeoutMs: number;
  onReceiptTimeout: boolean;
  circuit: CircuitSettings;
}

export const DEFAULT_FAILOVER: FailoverSettings = { receiptTimeoutMs: 30_000, onReceiptTimeout: false, circuit: { failures: 5, coolDownMs: 30_000 } };

/** A provider's own prices (VERIFYD_CONFIG `price`): by ISO country, else `default`; in PRICE_TABLE's currency. */
export type ProviderPrices = Readonly<Record<string, string>>;

export interface SenderOptions {
  clock: Clock;
  failover?: FailoverSettings;
  /**
   * The sender profile (MG sid) a service's Messaging Configuration names for a country, or for
   * `all`; null when it has none. Asked only when some profile carries the channel.
   */
  profileFor?: (serviceSid: string, country: string | null) => Promise<string | null>;
  prices?: { currency: string; byProvider: ReadonlyMap<string, ProviderPrices> };
}

/** The destination's country (ISO 3166 alpha-2) from its E.164 number; null for e-mail or an unknown one. */
export function countryOf(channel: CodeChannel, to: string): string | null {
  if (channel === 'email') return null;
  return parsePhoneNumberFromString(to.replace(/^whatsapp:/, ''))?.country ?? null;
}

/**
 * The domain's CodeSender over the registry: renders once, then hands the message to a provider of
 * its route. The inbox is written in the start's transaction when it is the channel's only
 * provider everywhere; every other route is sent from the queue, in failover order.
 */
export class ProviderSender implements CodeSender {
  readonly health: ProviderHealth;
  readonly receiptTimeoutMs: number | null;
  /** Per channel, whether its every route is the inbox alone (written in the start's transaction); the routes are fixed once the registry is built. */
  private readonly inline = new Map<CodeChannel, boolean>();

  constructor(
    private readonly registry: ProviderRegistry,
    private readonly opts: SenderOptions = { clock: systemClock },
  ) {
    const failover = opts.failover ?? DEFAULT_FAILOVER;
    this.health = new ProviderHealth(opts.clock, failover.circuit);
    this.receiptTimeoutMs = failover.onReceiptTimeout ? failover.receiptTimeoutMs : null;
  }

  carries(channel: CodeChannel): boolean {
    return this.registry.carries(channel);
  }

  sendsInline(channel: CodeChannel): boolean {
    let inline = this.inline.get(channel);
    if (inline === undefined) {
      inline = this.registry.everyRouteIs(channel, (p) => p instanceof InboxProvider);
      this.inline.set(channel, inline);
    }
    return inline;
  }

  sendInline(request: SendRequest, tx: InlineSendTx): Promise<SendOutcome> {
    const provider = this.registry.route(request.channel)[0];
    if (!(provider instanceof InboxProvider)) throw new Error(`the ${request.channel} route is queued, not inline`);
    return provider.sendInline(tx, request, render(request));
  }

  async route(request: Omit<SendRequest, 'code'>): Promise<readonly RouteStop[]> {
    // null is an answer (no country); undefined, a job queued before the country was carried.
    const carried = (request as { country?: string | null }).country;
    const country = carried !== undefined ? carried : countryOf(request.channel, request.to);
    const profile = this.opts.profileFor && this.registry.profilesCarry(request.channel) ? await this.opts.profileFor(request.serviceSid, country) : null;
    return this.registry.route({ channel: request.channel, serviceSid: request.serviceSid, country }, profile).map((p) => ({
      provider: p.name,
      sendsReceipts: p.sendsReceipts === true,
      price: this.priceOf(p.name, country),
    }));
  }

  async sendWith(name: string, request: SendRequest, signal: AbortSignal): Promise<SendOutcome> {
    const provider = this.registry.provider(name);
    if (!provider) throw new Error(`no provider is named ${name}`);
    const outcome = await provider.send(request, render(request), signal);
    // Receipts name the provider and its message id: both are recorded on the attempt.
    return { ...outcome, providerName: provider.name };
  }

  hasProfile(sid: string): boolean {
    return this.registry.hasProfile(sid);
  }

  notReached(err: unknown): boolean {
    return wasNotReached(err);
  }

  private priceOf(provider: string, country: string | null): Price | null {
    const own = this.opts.prices?.byProvider.get(provider);
    const value = own && ((country !== null ? own[country] : undefined) ?? own.default);
    return value === undefined || !this.opts.prices ? null : { value, currency: this.opts.prices.currency };
  }
}

