/**
 * Store conformance for the per-account quotas (issue 14): an insert with a cap counts the
 * account's rows in its own transaction, under a per-account lock on PostgreSQL, so creates racing
 * each other can never leave more than the cap. Both backends; on PostgreSQL the inserts really run
 * at once on separate connections.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { QuotaReached } from '../../src/domain/ports.js';
import { forEachBackend } from '../support/databases.js';
import { service, sink, subscription } from './fixtures.js';

const CAP = 5;
const RACERS = 12;

/** Runs every insert at once; how many went in and how many met the quota. */
async function race(inserts: Array<() => Promise<void>>): Promise<{ stored: number; refused: number }> {
  const results = await Promise.allSettled(inserts.map((f) => f()));
  for (const r of results) if (r.status === 'rejected' && !(r.reason instanceof QuotaReached)) throw r.reason;
  const refused = results.filter((r) => r.status === 'rejected').length;
  return { stored: results.length - refused, refused };
}

forEachBackend('store conformance: per-account quotas', async (t, stores) => {
  await t.test('services: parallel inserts stop at the cap, per account', async () => {
    const acct = newSid('AC');
    const other = newSid('AC');
    await stores.services.insertService(service(other), CAP);
    const got = await race(Array.from({ length: RACERS }, () => () => stores.services.insertService(service(acct), CAP)));
    assert.deepEqual(got, { stored: CAP, refused: RACERS - CAP });
    const listed = await stores.services.listServices(acct, { offset: 0, limit: 100 });
    assert.equal(listed.length, CAP);
    const refusal = await stores.services.insertService(service(acct), CAP).catch((err: unknown) => err);
    assert.ok(refusal instanceof QuotaReached && refusal.limit === CAP);
    await stores.services.insertService(service(other), CAP); // another account's count is its own
  });

  await t.test('sinks and subscriptions: parallel inserts stop at the cap', async () => {
    const acct = newSid('AC');
    const sinks = await race(Array.from({ length: RACERS }, () => () => stores.sinks.insertSink(sink(acct), CAP)));
    assert.deepEqual(sinks, { stored: CAP, refused: RACERS - CAP });
    const [first] = await stores.sinks.listSinks(acct, {}, { offset: 0, limit: 1 });
    const subs = await race(Array.from({ length: RACERS }, () => () => stores.sinks.insertSubscription(subscription(first!), [], CAP)));
    assert.deepEqual(subs, { stored: CAP, refused: RACERS - CAP });
    assert.equal((await stores.sinks.listSubscriptions(acct, {}, { offset: 0, limit: 100 })).length, CAP);
  });
});
