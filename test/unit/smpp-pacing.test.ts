/**
 * SmppProvider's pacing against the local SMSC (test/support/smsc.ts) on a hand-driven clock: each
 * bind submits at most its share of max_per_second, evenly spaced, and when every bind is pacing
 * the queue waits for the bind free soonest. The SMSC's roundTrip shows what it has received at
 * each moment, so nothing here depends on how fast the machine is.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test, type TestContext } from 'node:test';
import { SmppProvider } from '../../src/channels/smpp/provider.js';
import { smppSettings } from '../../src/channels/smpp/settings.js';
import { ManualTime } from '../support/manual-time.js';
import { sendRequest } from '../support/send-request.js';
import { Smsc } from '../support/smsc.js';

const ACCOUNT = { systemId: 'verifyd', password: 's3cret' };

/** Two binds at 20 per second: 10 each, so one submit_sm per bind every 100 ms. */
async function twoBinds(t: TestContext): Promise<{ smsc: Smsc; time: ManualTime; provider: SmppProvider }> {
  const smsc = await Smsc.start(ACCOUNT);
  const settings = smppSettings({ dir: tmpdir() }).parse({ url: smsc.url, system_id: ACCOUNT.systemId, password: ACCOUNT.password, source_addr: 'Acme', binds: 2, max_per_second: 20 });
  const time = new ManualTime();
  const provider = new SmppProvider('smsc', settings, async () => true, time);
  t.after(async () => {
    await provider.close();
    await smsc.close();
  });
  return { smsc, time, provider };
}

const send = (p: SmppProvider, i: number) => p.send(sendRequest({ to: `+1501712270${i}` }), { subject: null, body: `message ${i}`, sendDigits: null });

/** How many submit_sm the SMSC has received, once everything the provider wrote so far has arrived. */
async function received(smsc: Smsc): Promise<number> {
  await smsc.roundTrip();
  return smsc.received.length;
}

const sessions = (smsc: Smsc, from: number, to: number) => new Set(smsc.received.slice(from, to).map((s) => s.session)).size;

test('each bind submits at most its share of max_per_second, evenly spaced', async (t) => {
  const { smsc, time, provider } = await twoBinds(t);
  const sends = Array.from({ length: 7 }, (_, i) => send(provider, i));
  await smsc.until(() => smsc.binds.length === 2 && smsc.received.length >= 2, 'both binds and their first submit_sm');
  assert.equal(await received(smsc), 2, 'one submit_sm per bind at once, the rest wait');
  assert.equal(sessions(smsc, 0, 2), 2, 'one on each bind');
  assert.deepEqual(time.pending, [100], 'the queue waits for the binds\' 100 ms');

  time.advance(99);
  assert.equal(await received(smsc), 2, 'none before 100 ms');
  time.advance(1);
  assert.equal(await received(smsc), 4, 'one more per bind at 100 ms');
  assert.equal(sessions(smsc, 2, 4), 2);
  time.advance(100);
  assert.equal(await received(smsc), 6, 'and at 200 ms');
  assert.equal(sessions(smsc, 4, 6), 2);
  time.advance(100);
  assert.equal(await received(smsc), 7, 'the last at 300 ms');
  assert.deepEqual(time.pending, [], 'an empty queue waits for nothing');
  for (const outcome of await Promise.all(sends)) assert.equal(outcome.status, 'sent');
});

test('when every bind is pacing, the queue waits for the one free soonest', async (t) => {
  const { smsc, time, provider } = await twoBinds(t);
  const first = send(provider, 0);
  await smsc.until(() => smsc.binds.length === 2 && smsc.received.length === 1, 'both binds and one submit_sm');
  assert.equal(await received(smsc), 1);
  const early = smsc.received[0]!.session;

  // At 40 ms the other bind takes one at once; then the first bind is free at 100 ms, the other at 140 ms.
  time.advance(40);
  const rest = [1, 2, 3].map((i) => send(provider, i));
  assert.equal(await received(smsc), 2);
  const late = smsc.received[1]!.session;
  assert.notEqual(late, early, 'the bind that had not sent yet');
  assert.deepEqual(time.pending, [100], 'woken when the first bind is free, not the last');

  time.advance(60);
  assert.equal(await received(smsc), 3);
  assert.equal(smsc.received[2]!.session, early, 'at 100 ms on the bind that was free');
  assert.deepEqual(time.pending, [140]);
  time.advance(40);
  assert.equal(await received(smsc), 4);
  assert.equal(smsc.received[3]!.session, late, 'at 140 ms on the other');
  for (const outcome of await Promise.all([first, ...rest])) assert.equal(outcome.status, 'sent');
});
