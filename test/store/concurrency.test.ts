/**
 * The domain's concurrency contracts, driven through startVerification/checkVerification on both
 * backends. On PostgreSQL these only hold if SELECT ... FOR UPDATE and the one-pending-per-To index
 * really serialise the transactions; on SQLite they prove the single connection does.
 */
import assert from 'node:assert/strict';
import { systemClock } from '../../src/domain/clock.js';
import { CodeKeyring } from '../../src/domain/code/keys.js';
import { TwilioError } from '../../src/domain/errors.js';
import { newSid } from '../../src/domain/ids.js';
import { createService } from '../../src/domain/service/service.js';
import type { Service, Verification } from '../../src/domain/types.js';
import { checkVerification, type CheckInput } from '../../src/domain/verification/check.js';
import type { VerificationDeps } from '../../src/domain/verification/deps.js';
import { startVerification, type StartInput } from '../../src/domain/verification/start.js';
import type { Stores } from '../../src/storage/stores.js';
import { forEachBackend } from '../support/databases.js';
import { startOptions } from './fixtures.js';
import { UNKNOWN_CARRIER } from '../../src/domain/ports/lookup.js';

const TO = '+15017122661';

function makeDeps(stores: Stores): VerificationDeps {
  return {
    store: stores.verifications,
    sender: { carries: () => true, sendsInline: () => true, sendInline: async () => ({ status: 'delivered' }),
      // Nothing is queued: every channel is sent inline.
      route: async () => [], sendWith: async () => ({ status: 'delivered' }), notReached: () => false,
      health: { admit: () => true, succeeded: () => undefined, failed: () => undefined }, receiptTimeoutMs: null, hasProfile: () => false },
    templates: stores.templates,
    keys: new CodeKeyring([{ id: 'k1', secret: Buffer.alloc(32, 7) }]),
    clock: systemClock,
    ids: newSid,
    ttlMs: 600_000,
    snaBaseUrl: 'http://127.0.0.1:1',
    lookup: { provider: { lookup: async () => UNKNOWN_CARRIER }, canadaEnabled: false },
  };
}

const startInput = (): StartInput => ({ to: TO, channel: 'sms', customCode: null, amount: null, payee: null, options: startOptions() });
const checkInput = (v: Verification, code: string): CheckInput => ({
  code,
  to: null,
  verificationSid: v.sid,
  amount: null,
  payee: null,
  snaClientToken: null,
});

// Each scenario gets its own service so its pending verification for TO is independent of the others.
const newService = (stores: Stores, deps: VerificationDeps): Promise<Service> =>
  createService({ store: stores.services, templates: stores.templates, clock: deps.clock, ids: deps.ids, maxServices: Infinity }, newSid('AC'), { friendlyName: 'Concurrency Test' });

const codeOf = (deps: VerificationDeps, v: Verification): string => deps.keys.deriveCode(v.codeKeyId, v.codeSeed!, v.codeLength)!;
/** Same length, every digit different: certainly wrong. */
const wrongCode = (code: string): string => [...code].map((d) => String((Number(d) + 1) % 10)).join('');

const errorCode = (r: PromiseSettledResult<unknown>): number | string =>
  r.status === 'rejected' ? (r.reason instanceof TwilioError ? r.reason.code : `non-Twilio error: ${String(r.reason)}`) : 'fulfilled';
const fulfilled = <T>(rs: PromiseSettledResult<T>[]): T[] => rs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

forEachBackend('concurrency through the domain', async (t, stores) => {
  const deps = makeDeps(stores);

  await t.test('50 concurrent wrong checks consume exactly 5 attempts', async () => {
    const service = await newService(stores, deps);
    const { verification: v } = await startVerification(deps, service, startInput());
    const wrong = wrongCode(codeOf(deps, v));

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => checkVerification(deps, service, checkInput(v, wrong))));

    const ok = fulfilled(results);
    assert.equal(ok.length, 5);
    for (const r of ok) assert.equal(r.verification.status, 'pending');
    for (const r of results.filter((x) => x.status === 'rejected')) assert.ok([60202, 20404].includes(errorCode(r) as number), String(errorCode(r)));

    const stored = await stores.verifications.getVerification(service.sid, v.sid);
    assert.equal(stored?.checkCount, 5);
    assert.equal(stored?.status, 'max_attempts_reached');
    const checks = await stores.verifications.listChecks(v.sid);
    assert.equal(checks.length, 5);
    assert.ok(checks.every((c) => c.result === 'FAILURE'));
    const toStatuses = (await stores.verifications.listStatusChanges(v.sid)).map((c) => c.toStatus);
    assert.deepEqual(toStatuses, ['pending', 'max_attempts_reached']);
  });

  await t.test('50 concurrent right checks approve exactly once', async () => {
    const service = await newService(stores, deps);
    const { verification: v } = await startVerification(deps, service, startInput());
    const code = codeOf(deps, v);

    const results = await Promise.allSettled(Array.from({ length: 50 }, () => checkVerification(deps, service, checkInput(v, code))));

    const ok = fulfilled(results);
    assert.equal(ok.length, 1);
    assert.equal(ok[0]!.verification.status, 'approved');
    // The losers find the verification no longer pending.
    for (const r of results.filter((x) => x.status === 'rejected')) assert.equal(errorCode(r), 20404);

    const checks = await stores.verifications.listChecks(v.sid);
    assert.ok(checks.length <= 5, `${checks.length} checks recorded`);
    assert.equal(checks.filter((c) => c.result === 'SUCCESS').length, 1);
    const toStatuses = (await stores.verifications.listStatusChanges(v.sid)).map((c) => c.toStatus);
    assert.equal(toStatuses.filter((s) => s === 'approved').length, 1);
    assert.equal(toStatuses.at(-1), 'approved');
    assert.equal((await stores.verifications.getVerification(service.sid, v.sid))?.status, 'approved');
  });

  await t.test('20 concurrent first starts for one To make one verification and at most 5 sends', async () => {
    const service = await newService(stores, deps);

    const results = await Promise.allSettled(Array.from({ length: 20 }, () => startVerification(deps, service, startInput())));

    const ok = fulfilled(results);
    const sids = new Set(ok.map((r) => r.verification.sid));
    assert.equal(sids.size, 1, `verification sids: ${[...sids].join(', ')}`);
    assert.equal(ok.length, 5);
    for (const r of results.filter((x) => x.status === 'rejected')) assert.equal(errorCode(r), 60203);

    const [sid] = [...sids] as [string];
    const stored = await stores.verifications.getVerification(service.sid, sid);
    assert.equal(stored?.sendCount, 5);
    assert.equal((await stores.verifications.getPendingByTo(service.sid, TO))?.sid, sid);
    assert.equal((await stores.verifications.listSends(sid)).length, 5);
    // Exactly one row was created: one 'start' status change, and no send counter above 5 was ever returned.
    assert.deepEqual((await stores.verifications.listStatusChanges(sid)).map((c) => c.cause), ['start']);
    assert.ok(ok.every((r) => r.verification.sendCount <= 5));
  });
});
