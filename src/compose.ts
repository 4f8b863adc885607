import { InboxDelivery } from './channels/inbox.js';
import type { Config } from './config/config.js';
import { systemClock, type Clock } from './domain/clock.js';
import { CodeKeyring } from './domain/code/keys.js';
import { newSid } from './domain/ids.js';
import type { ServiceDeps } from './domain/service/service.js';
import type { VerificationDeps } from './domain/verification/deps.js';
import { openStore } from './storage/open.js';
import type { KyselyStore } from './storage/kysely-store.js';

export interface Composition {
  store: KyselyStore;
  services: ServiceDeps;
  verifications: VerificationDeps;
  clock: Clock;
}

/** The one place that knows every concrete adapter. */
export async function compose(config: Config, clock: Clock = systemClock): Promise<Composition> {
  const store = await openStore({ databaseUrl: config.databaseUrl, sqlitePath: config.sqlitePath, poolSize: config.dbPoolSize });
  const services: ServiceDeps = { store, clock, ids: newSid };
  const verifications: VerificationDeps = {
    store,
    delivery: new InboxDelivery(store, clock),
    keys: new CodeKeyring(config.codeKeys),
    clock,
    ids: newSid,
    ttlMs: config.verificationTtlMs,
    snaBaseUrl: config.publicBaseUrl,
    prices: config.prices,
  };
  return { store, services, verifications, clock };
}
