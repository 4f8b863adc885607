/**
 * The dispatcher reads the time only from its Clock. On a ManualClock set years ahead, with a real
 * SQLite store and a real webhook receiver: claims are leased, attempts stamped and retries timed
 * by that clock; nothing is retried until the clock reaches the retry time, however long real time
 * runs; and an account's auth token is cached for 30 seconds of the clock, not of the wall.
 */
import { eventDeps } from '../../src/compose.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kysely } from 'kysely';
import { createAccount } from '../../src/accounts/accounts.js';
import { ManualClock } from '../../src/domain/clock.js';
import { BlockedNetworks } from '../../src/domain/events/networks.js';
import { createSink, testSink } from '../../src/domain/events/sinks.js';
import type { DeliveryStatus } from '../../src/domain/events/types.js';
import type { Database } from '../../src/storage/schema.js';
import { sqliteStore } from '../support/databases.js';
import { signatureValid } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { testDispatcher } from '../support/server.js';
import { until } from '../support/until.js';

const T0 = Date.UTC(2040, 0, 1);
const LEASE_MS = 30_000;
const TIMEOUT_MS = 300;

test('leases, attempt times, retry times and the auth token cache follow the dispatcher clock', async (t) => {
  const { stores, cleanup } = await sqliteStore();
  t.after(cleanup);
  const receiver = await Receiver.start();
  t.after(() => receiver.close());
  const clock = new ManualClock(new Date(T0));
  const deps = eventDeps(stores, clock, new BlockedNetworks('none'));
  const acct = await createAccount(stores.accounts, clock);
  const sink = await createSink(deps, acct.sid, {
    description: 'clock',
    sinkType: 'webhook',
    config: { destination: receiver.url(), method: 'POST', batch_events: false },
  });
  const events = testDispatcher(stores, clock, {
    blockedNetworks: 'none',
    pollMs: 10,
    lingerMs: 0,
    leaseMs: LEASE_MS,
    webhookTimeoutMs: TIMEOUT_MS,
    retry: { baseMs: 1_000, capMs: 1_000, windowMs: 60_000 },
  });
  events.dispatcher.start();
  t.after(async () => {
    await events.dispatcher.stop();
    await events.close();
  });
  const status = async (eventId: string): Promise<DeliveryStatus> => (await stores.outbox.deliveryStatus(eventId))[0]!;

  // The first request hangs until the sender gives up on it: meanwhile the claim's lease is the clock's.
  receiver.answer('hang', 1);
  const first = await testSink(deps, acct.sid, sink.sid);
  await until(() => receiver.requests.length, (n) => n === 1, 'the first request');
  const leased = await status(first.id);
  assert.deepEqual([leased.state, leased.attempts, leased.nextAttemptAt], ['pending', 0, T0 + LEASE_MS], 'leased until the clock time plus leaseMs');

  const failed = await until(() => status(first.id), (s) => s.attempts === 1, 'the timed-out attempt');
  assert.equal(failed.state, 'pending');
  assert.equal(failed.history[0]!.attemptedAt, T0);
  assert.equal(failed.history[0]!.error, `timed out after ${TIMEOUT_MS} ms`);
  // Equal jitter over a 1 s ceiling: due again 0.5 to 1 s of the clock after the failure.
  assert.ok(failed.nextAttemptAt >= T0 + 500 && failed.nextAttemptAt <= T0 + 1_000, `retry due at T0 + ${failed.nextAttemptAt - T0} ms`);

  // Real time runs past the retry delay; the clock does not, so nothing is due.
  await new Promise((r) => setTimeout(r, 1_200));
  assert.equal(receiver.requests.length, 1, 'not retried before the clock reaches the retry time');

  clock.advance(1_000);
  const delivered = await until(() => status(first.id), (s) => s.state === 'delivered', 'the retry');
  assert.deepEqual(delivered.history.map((h) => h.attemptedAt), [T0, T0 + 1_000]);
  assert.equal(receiver.requests.length, 2);

  // A new auth token is not used while the cached one is under 30 s old on the clock...
  // Changed as another process would change it, sealed as the store seals it, without this process
  // hearing of it (no notification): only the cache's age on the clock can make it read again.
  const db = (stores as unknown as { db: Kysely<Database> }).db;
  const sealed = (stores.accounts as unknown as { seal(token: string, sid: string): { sealed: string; keyId: string } }).seal('rotated token', acct.sid);
  await db.updateTable('accounts').set({ auth_token: sealed.sealed, auth_token_key_id: sealed.keyId }).where('sid', '=', acct.sid).execute();
  const second = await testSink(deps, acct.sid, sink.sid);
  await until(() => status(second.id), (s) => s.state === 'delivered', 'the second event');
  assert.ok(signatureValid(acct.authToken, receiver.requests[2]!), 'signed with the cached token');

  // ...and is once the clock has moved past it, though only milliseconds of real time went by.
  clock.advance(30_000);
  const third = await testSink(deps, acct.sid, sink.sid);
  await until(() => status(third.id), (s) => s.state === 'delivered', 'the third event');
  assert.ok(signatureValid('rotated token', receiver.requests[3]!), 'signed with the token read again');
});
