import type { Clock } from './domain/clock.js';
import type { ApiThrottleStore, AttemptStore, OutboxStore, RateLimitStore, VerificationStore } from './domain/ports.js';
import { expireDue } from './domain/verification/expire.js';
import type { PumpingStore } from './domain/ports/protection.js';
import { COUNTER_HORIZON_MS } from './domain/protection/pumping.js';
import type { Log } from './log.js';

/**
 * Expires pending verifications whose validity ended without anyone asking. Every node runs it;
 * the store's guarded updates (SKIP LOCKED on PostgreSQL) make concurrent sweeps harmless.
 */
export function startExpirySweep(store: VerificationStore, clock: Clock, everyMs: number, log: Pick<Log, 'error'>): { stop(): void; runOnce(): Promise<number> } {
  let running = false;
  const runOnce = async (): Promise<number> => {
    if (running) return 0;
    running = true;
    try {
      let total = 0;
      for (;;) {
        const n = await expireDue(store, clock.now().getTime(), 500);
        total += n;
        if (n < 500) return total;
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => {
    runOnce().catch((err) => log.error({ err }, 'expiry sweep failed'));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}

/** What the retention purge deletes from, and the database's own upkeep. */
export interface RetentionStores {
  attempts: Pick<AttemptStore, 'purgeAttempts'>;
  verifications: Pick<VerificationStore, 'purgeVerifications'>;
  outbox: Pick<OutboxStore, 'purgeEvents'>;
  apiThrottle: Pick<ApiThrottleStore, 'purgeApiThrottle'>;
  rateLimits: Pick<RateLimitStore, 'purgeRateLimitHits'>;
  pumping: Pick<PumpingStore, 'purgePumpingCounters'>;
  /** Refreshes planner statistics where the database needs it (SQLite). */
  optimize(): Promise<void>;
}

/**
 * How often the protections' counters are swept. They have no index by time (a start would write a
 * page of it per counter row), so a sweep reads every row in key order: this bounds that to one read
 * of each row per period. A lapsed counter left meanwhile counts nothing (a rate-limit window that
 * ended restarts on its next hit; the guard reads no counter past its horizon).
 */
export const COUNTER_SWEEP_MS = 10 * 60_000;

/**
 * Attempts, and then the finished verifications they belonged to (with their destinations, status
 * history and inbox messages), are kept for the retention period only; old rate-limit windows go
 * too. Idempotent, so every node may run it.
 */
export function startRetention(stores: RetentionStores, clock: Clock, retentionMs: number, everyMs: number, log: Pick<Log, 'error'>): { stop(): void; runOnce(): Promise<number> } {
  let countersSweptAt = -Infinity;
  const runOnce = async (): Promise<number> => {
    const now = clock.now().getTime();
    let total = 0;
    for (;;) {
      const n = await stores.attempts.purgeAttempts(now - retentionMs, 1000);
      total += n;
      if (n < 1000) break;
    }
    while ((await stores.verifications.purgeVerifications(now - retentionMs, 1000)) === 1000);
    // Events carry the destination too; those still being retried stay until they are settled.
    while ((await stores.outbox.purgeEvents(now - retentionMs, 1000)) === 1000);
    await stores.apiThrottle.purgeApiThrottle(now - 10 * 60_000);
    if (now - countersSweptAt >= COUNTER_SWEEP_MS) {
      countersSweptAt = now;
      // Service Rate Limit counters whose window ended count nothing any more.
      await stores.rateLimits.purgeRateLimitHits(now);
      // The pumping guard reads no counter older than its horizon (70 minutes).
      await stores.pumping.purgePumpingCounters(now - COUNTER_HORIZON_MS);
    }
    await stores.optimize();
    return total;
  };
  const timer = setInterval(() => {
    runOnce().catch((err) => log.error({ err }, 'retention purge failed'));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer), runOnce };
}
