import { sql, type Kysely } from 'kysely';
import type { ApiThrottleStore } from '../domain/ports/api-throttle.js';
import type { Database } from './schema.js';

export class SqlApiThrottleStore implements ApiThrottleStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** One atomic upsert: concurrent hits from any number of nodes each see a distinct count. */
  async hitApiThrottle(bucket: string, windowStart: number): Promise<number> {
    const r = await this.db
      .insertInto('rate_counters')
      .values({ bucket, window_start: windowStart, hits: 1 })
      .onConflict((oc) => oc.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql<number>`rate_counters.hits + 1` }))
      .returning('hits')
      .executeTakeFirstOrThrow();
    return Number(r.hits);
  }

  async purgeApiThrottle(before: number): Promise<void> {
    await this.db.deleteFrom('rate_counters').where('window_start', '<', before).execute();
  }
}
