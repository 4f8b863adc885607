import type { Clock } from '../domain/clock.js';

export interface CircuitSettings {
  /** Consecutive failed tries that open a provider's circuit. */
  failures: number;
  /** How long an open circuit keeps the provider out of the routes before one trial send. */
  coolDownMs: number;
}

export type CircuitState = 'closed' | 'open' | 'half-open';

interface Circuit {
  failures: number;
  openedAt: number | null;
  /** When the half-open trial was let through (null: none in flight). */
  trialAt: number | null;
}

/**
 * Per-provider health, kept in this process only (each node learns on its own; nothing is shared
 * through the database). A closed circuit lets every send through; `failures` consecutive failed
 * tries open it; while open the routes try the provider only after every other one (never drop
 * it: a send is not refused because of circuits alone); after the cool-down one trial send goes
 * through (half-open): success closes the circuit, failure opens it for another cool-down. A trial
 * whose result never comes is given up after another cool-down.
 */
export class ProviderHealth {
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly clock: Clock,
    private readonly settings: CircuitSettings,
  ) {}

  state(name: string): CircuitState {
    const c = this.circuits.get(name);
    if (!c || c.openedAt === null) return 'closed';
    return this.now() - c.openedAt >= this.settings.coolDownMs ? 'half-open' : 'open';
  }

  /** Whether a send may go to `name` now in its route's order; a half-open provider admits one trial at a time. */
  admit(name: string): boolean {
    const c = this.circuits.get(name);
    if (!c || c.openedAt === null) return true;
    const now = this.now();
    if (now - c.openedAt < this.settings.coolDownMs) return false;
    if (c.trialAt !== null && now - c.trialAt < this.settings.coolDownMs) return false;
    c.trialAt = now;
    return true;
  }

  succeeded(name: string): void {
    this.circuits.delete(name);
  }

  failed(name: string): void {
    const c = this.circuits.get(name) ?? { failures: 0, openedAt: null, trialAt: null };
    c.failures += 1;
    // A failed trial, or the threshold reached: (re)open from now.
    if (c.trialAt !== null || c.failures >= this.settings.failures) c.openedAt = this.now();
    c.trialAt = null;
    this.circuits.set(name, c);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
