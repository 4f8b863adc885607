import type { CodeChannel } from '../domain/verification/sending.js';
import type { Provider } from './provider.js';

/**
 * Which providers carry each channel, in the order they are to be tried. Keyed `default` so that
 * per-country routes can sit beside it later.
 */
export type Routes = Partial<Record<CodeChannel, { default: readonly string[] }>>;

/** The configured providers and their routes, checked once when built. */
export class ProviderRegistry {
  private readonly routes = new Map<CodeChannel, readonly Provider[]>();

  constructor(
    /** Every configured provider, routed or not (their status callbacks are accepted either way). */
    readonly providers: readonly Provider[],
    routes: Routes,
  ) {
    const byName = new Map<string, Provider>();
    for (const p of providers) {
      if (byName.has(p.name)) throw new Error(`provider ${p.name} is configured twice`);
      byName.set(p.name, p);
    }
    for (const [channel, route] of Object.entries(routes) as Array<[CodeChannel, { default: readonly string[] }]>) {
      if (route.default.length === 0) throw new Error(`the ${channel} route names no provider`);
      this.routes.set(
        channel,
        route.default.map((name) => {
          const p = byName.get(name);
          if (!p) throw new Error(`the ${channel} route names an unknown provider: ${name}`);
          if (!p.channels.includes(channel)) throw new Error(`provider ${name} does not serve ${channel}`);
          return p;
        }),
      );
    }
  }

  /** The providers for a channel, first choice first; empty when the channel has no route. */
  route(channel: CodeChannel): readonly Provider[] {
    return this.routes.get(channel) ?? [];
  }

  /** Closes every provider that keeps connections. */
  async close(): Promise<void> {
    await Promise.all(this.providers.map((p) => p.close?.()));
  }
}
