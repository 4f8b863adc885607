/**
 * A receiver that hangs must not hold up anyone else's events: its sink stops being claimed once a
 * claim's worth of its deliveries is waiting, so other sinks (here: another account's) keep being
 * served while it times out. Stopping a dispatcher gives its queued claims back at once instead of
 * leaving them to lapse. Real receivers and dispatchers, both backends.
 */
import assert from 'node:assert/strict';
import { T, allDeliveries, hangingAndHealthy, subscribeWebhook } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { onEachBackend, setup } from '../support/server.js';

// Small batches and one request at a time per sink, so that a handful of events backs a sink up;
// a short request timeout keeps the hanging receiver's attempts brief (the product uses 5 s).
const dispatcher = { batchSize: 4, maxInFlight: 8, perSinkConcurrency: 1, webhookTimeoutMs: 1_500 };

onEachBackend(
  'a hanging sink does not starve another account\'s sink',
  async (t, server) => {
    const { stuck, healthy, a, b } = await hangingAndHealthy(t, server);
    await subscribeWebhook(a.acct, stuck.url(), { types: [T.pending] });
    await subscribeWebhook(b.acct, healthy.url(), { types: [T.pending] });

    // Enough of A's events to fill every in-flight slot several times over, committed first.
    for (let i = 0; i < 20; i++) await a.api.verifications.create({ to: `+1501712${String(3000 + i)}`, channel: 'sms' });
    for (let i = 0; i < 5; i++) await b.api.verifications.create({ to: `+1501712${String(4000 + i)}`, channel: 'sms' });

    await healthy.waitFor((acked) => acked.length === 5, 8_000, 'all 5 of the healthy account\'s events, while the other sink hangs');
    assert.ok(stuck.received.length >= 1, 'the hanging sink was tried');
    assert.equal(stuck.acknowledged.length, 0);
  },
  { dispatcher },
);

onEachBackend(
  'stopping a dispatcher gives its queued claims back, due at once',
  async (t, server) => {
    const slow = await Receiver.start();
    t.after(() => slow.close());
    slow.answer('hang');
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, slow.url(), { types: [T.pending] });
    for (let i = 0; i < 4; i++) await api.verifications.create({ to: `+1501712${String(5000 + i)}`, channel: 'sms' });
    await slow.waitFor((_acked, r) => r.received.length >= 1, 5_000, 'the first request is open');

    await server.dispatcher!.stop();
    const rows = await allDeliveries(server);
    assert.equal(rows.length, 4);
    // One request was open (it timed out and was recorded as a failed attempt); the three queued
    // behind it were released without an attempt, not left claimed until their lease ran out.
    const released = rows.filter((r) => r.recorded === 0);
    assert.equal(released.length, 3);
    const claimed = await server.stores.outbox.claimDeliveries(Date.now(), Date.now() + 60_000, 10);
    assert.ok(released.every((r) => claimed.some((c) => c.event.id === r.eventId)), 'released deliveries are due again at once');
  },
  { dispatcher },
);
