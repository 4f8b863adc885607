import type { CodeChannel } from '../domain/verification/sending.js';
import type { Provider } from './provider.js';

/** Provider names, first choice first: the failover order. */
export type ProviderList = readonly string[];

/** A service's own routes for a channel (VERIFYD_CONFIG `routes.<channel>.services.<VA…>`). */
export interface ServiceRoute {
  default?: ProviderList;
  countries?: Readonly<Record<string, ProviderList>>;
}

/**
 * Which providers carry a channel: `default` for every destination, `countries` (ISO 3166 alpha-2)
 * ahead of it, and a service's own routes ahead of both (docs/delivery.md, "Routing").
 */
export interface ChannelRoute {
  default: ProviderList;
  countries?: Readonly<Record<string, ProviderList>>;
  services?: Readonly<Record<string, ServiceRoute>>;
}

export type Routes = Partial<Record<CodeChannel, ChannelRoute>>;

/** A sender profile (`messaging_services`): what a Messaging Configuration names by its MG sid. */
export interface MessagingProfile {
  sid: string;
  sms?: ProviderList;
  whatsapp?: ProviderList;
}

/** The channels a Messaging Configuration can steer (a Messaging Service sends messages, not calls or e-mail). */
export const PROFILE_CHANNELS = ['sms', 'whatsapp'] as const satisfies readonly CodeChannel[];

/** Where a send goes: its channel, service and destination country (null for e-mail or an unknown one). */
export interface RouteKey {
  channel: CodeChannel;
  serviceSid: string;
  country: string | null;
}

/** Every list a channel's route can pick, whatever the key. */
function allLists(route: ChannelRoute): ProviderList[] {
  const services = Object.values(route.services ?? {});
  return [route.default, ...Object.values(route.countries ?? {}), ...services.flatMap((s) => [...(s.default ? [s.default] : []), ...Object.values(s.countries ?? {})])];
}

/** The configured providers, their routes and sender profiles, checked once when built. */
export class ProviderRegistry {
  private readonly byName = new Map<string, Provider>();
  private readonly profiles = new Map<string, MessagingProfile>();
  /** The channels some profile carries (fixed at construction, asked on every send). */
  private readonly profileChannels = new Set<CodeChannel>();

  constructor(
    /** Every configured provider, routed or not (their status callbacks are accepted either way). */
    readonly providers: readonly Provider[],
    private readonly routes: Routes,
    profiles: readonly MessagingProfile[] = [],
  ) {
    for (const p of providers) {
      if (this.byName.has(p.name)) throw new Error(`provider ${p.name} is configured twice`);
      this.byName.set(p.name, p);
    }
    const check = (where: string, channel: CodeChannel, list: ProviderList) => {
      if (list.length === 0) throw new Error(`${where} names no provider`);
      for (const name of list) {
        const p = this.byName.get(name);
        if (!p) throw new Error(`${where} names an unknown provider: ${name}`);
        if (!p.channels.includes(channel)) throw new Error(`provider ${name} does not serve ${channel}`);
      }
    };
    for (const [channel, route] of Object.entries(routes) as Array<[CodeChannel, ChannelRoute]>) {
      for (const list of allLists(route)) check(`the ${channel} route`, channel, list);
    }
    for (const profile of profiles) {
      this.profiles.set(profile.sid, profile);
      for (const channel of PROFILE_CHANNELS) {
        if (profile[channel] === undefined) continue;
        check(`messaging service ${profile.sid}`, channel, profile[channel]);
        this.profileChannels.add(channel);
      }
    }
  }

  provider(name: string): Provider | undefined {
    return this.byName.get(name);
  }

  /** Whether the channel has a route at all. */
  carries(channel: CodeChannel): boolean {
    return this.routes[channel] !== undefined;
  }

  /** Whether every list the channel can pick is one provider and that one `is`: then no choice needs the destination. */
  everyRouteIs(channel: CodeChannel, is: (p: Provider) => boolean): boolean {
    const route = this.routes[channel];
    if (!route) return false;
    if (this.profilesCarry(channel)) return false;
    return allLists(route).every((list) => list.length === 1 && is(this.byName.get(list[0]!)!));
  }

  /** Whether `sid` names a configured sender profile. */
  hasProfile(sid: string): boolean {
    return this.profiles.has(sid);
  }

  /** Whether some profile carries this channel (a Messaging Configuration can only matter then). */
  profilesCarry(channel: CodeChannel): boolean {
    return this.profileChannels.has(channel);
  }

  /**
   * The providers for a send, first choice first; empty when the channel has no route. A profile
   * chosen by the service's Messaging Configuration wins when it carries the channel; then the
   * service's country route, its default, the channel's country route, its default.
   */
  route(to: RouteKey | CodeChannel, profileSid: string | null = null): readonly Provider[] {
    // A channel alone: its default route (every country, no service of its own).
    const key = typeof to === 'string' ? { channel: to, serviceSid: '', country: null } : to;
    const fromProfile = profileSid === null ? undefined : this.profiles.get(profileSid)?.[key.channel as 'sms'];
    const route = this.routes[key.channel];
    const service = route?.services?.[key.serviceSid];
    const cc = key.country ?? '';
    const names = fromProfile ?? (service?.countries?.[cc] ?? service?.default ?? route?.countries?.[cc] ?? route?.default ?? []);
    return names.map((n) => this.byName.get(n)!);
  }

  /** Closes every provider that keeps connections. */
  async close(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.close?.()));
  }
}
