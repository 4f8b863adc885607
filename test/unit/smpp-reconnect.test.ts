/**
 * SmppBind's reconnects against the local SMSC (test/support/smsc.ts) on a hand-driven clock: a
 * bound connection that is lost is bound again at once; each failed bind after that waits
 * reconnect_min_ms, doubling up to reconnect_max_ms, with jitter; a bind that works starts over.
 * Each delay is read as the bind asks for it, and the SMSC's bind attempts are counted at that
 * moment, so nothing here waits for the delays themselves.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { SmppBind } from '../../src/channels/smpp/bind.js';
import { smppSettings } from '../../src/channels/smpp/settings.js';
import { ManualTime } from '../support/manual-time.js';
import { Smsc } from '../support/smsc.js';
import { until } from '../support/until.js';

const ACCOUNT = { systemId: 'verifyd', password: 's3cret' };
const MIN = 100;
const MAX = 1000;
/** The jitter draws, at both ends of their range and between (binary fractions: every time stays exact). */
const RANDOMS = [0, 0.9375, 0.5, 0.25, 0.75, 0, 0.5];

/** A failed bind's delay: the upper half of the ceiling, placed by the draw (as the send queue's and events' backoff). */
const jittered = (ceiling: number, r: number) => ceiling / 2 + r * (ceiling / 2);

test('a lost bound connection is bound again at once; failed binds back off from min to max with jitter', async (t) => {
  const smsc = await Smsc.start(ACCOUNT);
  const settings = smppSettings({ dir: tmpdir() }).parse({ url: smsc.url, system_id: ACCOUNT.systemId, password: ACCOUNT.password, source_addr: 'Acme', reconnect_min_ms: MIN, reconnect_max_ms: MAX });
  const time = new ManualTime([...RANDOMS]);
  const bind = new SmppBind(settings, { ready: () => undefined, lost: () => undefined, deliver: async () => 0 }, time);
  t.after(async () => {
    await bind.close();
    await smsc.close();
  });

  /** Waits for the bind to ask for its next delay; returns it and how many binds the SMSC had seen by then. */
  const nextDelay = async () => {
    const asked = time.requested.length;
    await until(() => time.requested.length, (n) => n > asked, 'a reconnect delay');
    assert.equal(time.requested.length, asked + 1, 'one delay at a time');
    assert.equal(time.pending.length, 1);
    return { ms: time.requested[asked]!, binds: smsc.binds.length };
  };

  bind.start();
  await until(() => bind.state, (s) => s === 'bound', 'bound');
  // A connection counts as working once it has stayed bound for reconnect_max_ms.
  time.advance(MAX);

  // The SMSC goes into maintenance: it cuts the connection and refuses binds.
  smsc.refuseBinds = true;
  smsc.dropAll();
  // The first delay comes after a second, refused, bind: the lost connection was tried again at once.
  const first = await nextDelay();
  assert.deepEqual(smsc.binds, [true, false], 'bound again at once, before any delay');
  const expected = [MIN, 2 * MIN, 4 * MIN, 8 * MIN, MAX, MAX].map((ceiling, i) => jittered(ceiling, RANDOMS[i]!));
  const delays = [first.ms];
  for (let i = 1; i < expected.length; i++) {
    time.advance(delays[i - 1]!);
    const next = await nextDelay();
    assert.equal(next.binds, 2 + i, 'one bind attempt per delay, made when it ran out');
    delays.push(next.ms);
  }
  assert.deepEqual(delays, expected, 'doubling from reconnect_min_ms, capped at reconnect_max_ms, placed by the jitter');
  for (const [i, ms] of delays.entries()) {
    const ceiling = Math.min(MAX, MIN * 2 ** i);
    assert.ok(ms >= ceiling / 2 && ms < ceiling, `delay ${i} (${ms} ms) within [${ceiling / 2}, ${ceiling})`);
  }

  // Out of maintenance: the next attempt binds, and nothing more is waited for.
  smsc.refuseBinds = false;
  time.advance(delays.at(-1)!);
  await until(() => bind.state, (s) => s === 'bound', 'bound again');
  assert.deepEqual(time.pending, []);

  // A connection that worked resets the backoff: at once again, then reconnect_min_ms.
  time.advance(MAX);
  const binds = smsc.binds.length;
  smsc.refuseBinds = true;
  smsc.dropAll();
  const afterReset = await nextDelay();
  assert.equal(afterReset.binds, binds + 1, 'bound again at once');
  assert.equal(afterReset.ms, jittered(MIN, RANDOMS[6]!));
});

test('an SMSC that takes every bind and drops it at once is backed off from, not reconnected in a loop', async (t) => {
  const smsc = await Smsc.start(ACCOUNT);
  const settings = smppSettings({ dir: tmpdir() }).parse({ url: smsc.url, system_id: ACCOUNT.systemId, password: ACCOUNT.password, source_addr: 'Acme', reconnect_min_ms: MIN, reconnect_max_ms: MAX });
  const time = new ManualTime([0, 0, 0, 0, 0, 0]);
  const bind = new SmppBind(settings, { ready: () => undefined, lost: () => undefined, deliver: async () => 0 }, time);
  t.after(async () => {
    await bind.close();
    await smsc.close();
  });

  bind.start();
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    await until(() => bind.state, (s) => s === 'bound', `bound (${i})`);
    // Bound for just under reconnect_max_ms: not yet a connection that worked.
    time.advance(i === 4 ? MAX - 1 : 0);
    smsc.dropAll();
    await until(() => time.pending.length, (n) => n === 1, `a reconnect delay (${i})`);
    delays.push(time.pending[0]! - time.now());
    assert.equal(smsc.binds.length, i + 1, 'no bind before the delay ran out');
    time.advance(delays.at(-1)!);
  }
  assert.deepEqual(smsc.binds, [true, true, true, true, true]);
  assert.deepEqual(delays, [MIN, 2 * MIN, 4 * MIN, 8 * MIN, MAX].map((c) => c / 2), 'each drop backs off further');
});
