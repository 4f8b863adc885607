/**
 * The SMS-pumping guard's signals and decision: pure thresholds per level, then the guard with its
 * store on a SQLite file and a ManualClock (bursts to consecutive numbers, the window sliding,
 * conversion from approvals, a marketing spike that converts, high-cost destinations, levels).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../src/domain/clock.js';
import { judgePumping, recordPumpingApproval, type PumpingDeps } from '../../src/domain/protection/pumping-guard.js';
import { DEFAULT_HIGH_COST, THRESHOLDS, decide, isHighCost, parseHighCost, pumpingKeys, type PumpingCounts, type PumpingLevel } from '../../src/domain/protection/pumping.js';
import { forEachBackend } from '../support/databases.js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import type { Stores } from '../../src/storage/stores.js';

const quiet: PumpingCounts = { rangeStarts: 1, recentStarts: 1, baselineStarts: 0, baselineMinutes: 0, laggedStarts: 0, approvals: 0 };
const MIN = 60_000;

test('keys: the prefix is + calling code and 3 national digits, the range the number less its last 4', () => {
  assert.deepEqual(pumpingKeys('+447400123456'), { prefix: '+44740', range: '+44740012' });
  assert.deepEqual(pumpingKeys('+12015550123'), { prefix: '+1201', range: '+1201555' });
  assert.deepEqual(pumpingKeys('+33612345678'), { prefix: '+33612', range: '+3361234' });
});

test('keys: a start\'s parsed country splits every region\'s number as a parse of it does', () => {
  let compared = 0;
  for (const [region, example] of Object.entries(examples)) {
    const phone = parsePhoneNumberFromString(example, region as CountryCode);
    if (!phone?.isValid()) continue;
    const country = phone.country ?? null;
    assert.deepEqual(pumpingKeys(phone.number, country), pumpingKeys(phone.number), `${region} ${phone.number}`);
    compared++;
  }
  assert.ok(compared > 200, `${compared} regions compared`);
  // A non-geographic number has no country; a country that does not match the number is not trusted.
  assert.deepEqual(pumpingKeys('+80012345678', null), pumpingKeys('+80012345678'));
  assert.deepEqual(pumpingKeys('+447400123456', 'FR'), { prefix: '+44740', range: '+44740012' });
  assert.deepEqual(pumpingKeys('+447400123456', 'XX'), { prefix: '+44740', range: '+44740012' });
});

test('decision: a burst to one range blocks above rangeMax, stricter with each level', () => {
  for (const level of ['basic', 'standard', 'max'] as const) {
    const t = THRESHOLDS[level];
    assert.equal(decide(t, { ...quiet, rangeStarts: t.rangeMax }, false), null, level);
    assert.equal(decide(t, { ...quiet, rangeStarts: t.rangeMax + 1 }, false), 'consecutive_numbers', level);
  }
  assert.ok(THRESHOLDS.basic.rangeMax > THRESHOLDS.standard.rangeMax && THRESHOLDS.standard.rangeMax > THRESHOLDS.max.rangeMax);
});

test('decision: low conversion needs a sample; a spike blocks only when it does not convert', () => {
  const t = THRESHOLDS.standard;
  assert.equal(decide(t, { ...quiet, laggedStarts: t.minSample - 1, approvals: 0 }, false), null, 'too few to judge');
  assert.equal(decide(t, { ...quiet, laggedStarts: t.minSample, approvals: 0 }, false), 'low_conversion');
  assert.equal(decide(t, { ...quiet, laggedStarts: t.minSample, approvals: Math.ceil(t.minSample * t.minConversion) }, false), null);
  // A marketing burst: ten times its baseline, converting like the rest.
  const burst = { ...quiet, recentStarts: 100, baselineStarts: 60, baselineMinutes: 60, laggedStarts: 40, approvals: 32 };
  assert.equal(decide(t, burst, false), null);
  assert.equal(decide(t, { ...burst, approvals: 12 }, false), 'volume_spike', 'the same spike converting 30 %');
  assert.equal(decide(t, { ...burst, approvals: 12, baselineStarts: 600 }, false), null, 'not a spike against a busy baseline');
  // Volume alone, with no conversion evidence yet, never blocks.
  assert.equal(decide(t, { ...quiet, recentStarts: 1000 }, false), null);
});

test('decision: high-cost destinations are capped unless they convert; the list matches countries and + prefixes', () => {
  const t = THRESHOLDS.standard;
  assert.equal(decide(t, { ...quiet, recentStarts: t.highCostMax }, true), null);
  assert.equal(decide(t, { ...quiet, recentStarts: t.highCostMax + 1 }, true), 'high_cost');
  assert.equal(decide(t, { ...quiet, recentStarts: t.highCostMax + 1 }, false), null);
  assert.equal(decide(t, { ...quiet, recentStarts: t.highCostMax + 1, laggedStarts: 20, approvals: 16 }, true), null, 'proven to convert');
  assert.equal(isHighCost(DEFAULT_HIGH_COST, '+882123456789', null), true);
  assert.equal(isHighCost(['CU', '+4470'], '+53512345678', 'CU'), true);
  assert.equal(isHighCost(['CU', '+4470'], '+447012345678', 'GB'), true);
  assert.equal(isHighCost(['CU', '+4470'], '+447400123456', 'GB'), false);
  assert.deepEqual(parseHighCost(['cu', '+882', 'CU']), { entries: ['CU', '+882'] });
  assert.ok('problem' in parseHighCost(['Cuba', '882']));
});

const deps = (stores: Stores, clock: ManualClock, defaultLevel: PumpingLevel): PumpingDeps => ({ store: stores.pumping, clock, defaultLevel, highCost: DEFAULT_HIGH_COST });
const gb = (n: number) => `+4474001${String(n).padStart(5, '0')}`;

forEachBackend('pumping guard on its store, on a ManualClock', async (t, stores) => {
  await t.test('a burst to consecutive numbers: blocked after rangeMax, while it goes on; another range and prefix pass; the window slides', async () => {
    const clock = new ManualClock(new Date('2026-01-05T09:00:00Z'));
    const d = deps(stores, clock, 'standard');
    const va = 'VA' + 'a'.repeat(32);
    const rangeMax = THRESHOLDS.standard.rangeMax;
    const verdicts: Array<string | null> = [];
    for (let i = 0; i < rangeMax + 10; i++) {
      verdicts.push((await judgePumping(d, va, gb(i), 'GB'))?.reason ?? null);
      clock.advance(2_000);
    }
    assert.deepEqual(verdicts.slice(0, rangeMax), Array(rangeMax).fill(null));
    assert.deepEqual(verdicts.slice(rangeMax), Array(10).fill('consecutive_numbers'));
    const refusal = await judgePumping(d, va, gb(100), 'GB');
    assert.equal(refusal?.code, 60410);
    assert.equal(refusal?.status, 403);
    assert.equal(refusal?.keys.prefix, '+44740');
    assert.equal(await judgePumping(d, va, '+447400299999', 'GB'), null, 'another range of the prefix');
    assert.equal(await judgePumping(d, va, '+12015550123', 'US'), null, 'another prefix');
    assert.equal(await judgePumping(deps(stores, clock, 'standard'), 'VA' + 'b'.repeat(32), gb(101), 'GB'), null, 'another service');
    // Blocked starts keep counting on the range: the burst stays blocked as long as it goes on...
    clock.advance(4 * MIN);
    assert.equal((await judgePumping(d, va, gb(102), 'GB'))?.reason, 'consecutive_numbers');
    // ...and is forgotten once 5 quiet minutes have passed.
    clock.advance(5 * MIN);
    assert.equal(await judgePumping(d, va, gb(103), 'GB'), null);
  });

  await t.test('conversion: a prefix whose starts are never approved is blocked; approvals keep it open', async () => {
    const clock = new ManualClock(new Date('2026-01-05T09:00:00Z'));
    const d = deps(stores, clock, 'standard');
    const [bad, good] = ['VA' + 'c'.repeat(32), 'VA' + 'd'.repeat(32)];
    const n = THRESHOLDS.standard.minSample;
    // Scattered numbers (no burst to one range), a minute apart.
    for (let i = 0; i < n; i++) {
      const to = `+447400${String(i).padStart(2, '0')}${String((i * 37) % 10_000).padStart(4, '0')}`;
      assert.equal(await judgePumping(d, bad, to, 'GB'), null);
      assert.equal(await judgePumping(d, good, to, 'GB'), null);
      await recordPumpingApproval(d, good, { channel: 'sms', to, status: 'approved' });
      clock.advance(MIN);
    }
    clock.advance(2 * MIN);
    assert.equal((await judgePumping(d, bad, '+447400990001', 'GB'))?.reason, 'low_conversion');
    assert.equal(await judgePumping(d, good, '+447400990001', 'GB'), null);
    // Another channel's approvals are not the guard's.
    await recordPumpingApproval(d, bad, { channel: 'call', to: '+447400990001', status: 'approved' });
    assert.equal((await judgePumping(d, bad, '+447400990002', 'GB'))?.reason, 'low_conversion');
  });

  await t.test("levels: off judges and counts nothing; max blocks a burst earlier than standard", async () => {
    const clock = new ManualClock(new Date('2026-01-05T09:00:00Z'));
    const va = 'VA' + 'e'.repeat(32);
    for (let i = 0; i < 40; i++) assert.equal(await judgePumping(deps(stores, clock, 'off'), va, gb(i), 'GB'), null);
    const keys = pumpingKeys(gb(0));
    assert.equal((await stores.pumping.readPumping(va, keys, clock.now().getTime())).counts.rangeStarts, 0, 'off counts nothing');
    const maxRange = THRESHOLDS.max.rangeMax;
    const d = deps(stores, clock, 'max');
    for (let i = 0; i < maxRange; i++) assert.equal(await judgePumping(d, va, gb(i), 'GB'), null);
    assert.equal((await judgePumping(d, va, gb(99), 'GB'))?.reason, 'consecutive_numbers');
  });
});
