/**
 * Fair delivery between accounts (issue 14): an account whose sinks all hang holds at most
 * EVENTS_ACCOUNT_IN_FLIGHT of the dispatcher's in-flight slots, and the claim passes over its
 * deliveries while it holds them, so another account's events are delivered meanwhile. Real
 * receivers (one that never answers, one that does), a real dispatcher, both backends. The
 * hanging requests are never cut short during the test (the timeout is far beyond it), so only
 * the cap can let the other account through.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.js';
import { T, hangingAndHealthy, subscribeWebhook } from '../support/events.js';
import { onEachBackend, type TestServer } from '../support/server.js';

// Three sinks of one account, one request open per sink and a claim's worth queued behind each,
// would hold up to 15 deliveries: more than the 8 slots. The cap keeps that account at 3.
const CAP = 3;
const dispatcher = { batchSize: 4, maxInFlight: 8, perSinkConcurrency: 1, perAccountInFlight: CAP, webhookTimeoutMs: 60_000 };

/** An account's deliveries, by whether a dispatcher holds them (claimed) and their state. */
async function deliveriesOf(server: TestServer, accountSid: string) {
  const db = (server.stores as unknown as { db: Kysely<Database> }).db;
  const rows = await db
    .selectFrom('event_deliveries as d')
    .innerJoin('event_sinks as k', 'k.sid', 'd.sink_sid')
    .select(['d.claim', 'd.state'])
    .where('k.account_sid', '=', accountSid)
    .execute();
  return { claimed: rows.filter((r) => r.claim !== null).length, settled: rows.filter((r) => r.state !== 'pending').length, all: rows.length };
}

onEachBackend(
  'an account whose sinks hang holds its cap of in-flight deliveries, and another account\'s events are delivered',
  async (t, server) => {
    const { stuck, healthy, a, b } = await hangingAndHealthy(t, server);
    for (const path of ['/a1', '/a2', '/a3']) await subscribeWebhook(a.acct, stuck.url(path), { types: [T.pending] });
    await subscribeWebhook(b.acct, healthy.url(), { types: [T.pending] });

    // A's backlog is older than B's events: oldest-first alone would give A every slot.
    for (let i = 0; i < 10; i++) await a.api.verifications.create({ to: `+1501712${String(3000 + i)}`, channel: 'sms' });
    await stuck.waitFor((_acked, r) => r.requests.length >= 1, 10_000, 'the hanging sinks are being tried');
    for (let i = 0; i < 5; i++) await b.api.verifications.create({ to: `+1501712${String(4000 + i)}`, channel: 'sms' });

    try {
      await healthy.waitFor((acked) => acked.length === 5, 10_000, 'all 5 of B\'s events while A\'s sinks hang');
      const held = await deliveriesOf(server, a.acct.sid);
      assert.equal(held.all, 30);
      assert.equal(held.claimed, CAP, 'A holds exactly its cap');
      assert.equal(held.settled, 0, 'none of A\'s requests has ended');
      assert.ok(stuck.requests.length <= CAP, `at most ${CAP} of A's requests open (got ${stuck.requests.length})`);
      assert.equal(stuck.acknowledged.length, 0);
    } finally {
      // Stopping the dispatcher waits for open requests: end them rather than wait for their timeout.
      stuck.answer({ status: 200 });
      stuck.answerHung();
    }
  },
  { dispatcher },
);
