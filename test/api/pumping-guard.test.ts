/**
 * The SMS-pumping guard (RiskCheck) through the official SDK, on both backends, on a ManualClock.
 * In production mode it is on (standard) by default: a burst of sms starts to consecutive numbers
 * in one range answers 60410 (403) after the level's threshold, stores and sends nothing and spends
 * no Service Rate Limit hit; RiskCheck=disable and a safe-listed number pass; another prefix and
 * other channels are not judged; two nodes on one database share the counters; the report counts
 * each block by prefix and reason; approved checks are counted for the conversion signal. In
 * development mode it is off unless a service (or the file) sets a level.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pumpingKeys, THRESHOLDS } from '../../src/domain/protection/pumping.js';
import { hasError, rejectsWith } from '../support/assertions.js';
import twilio from 'twilio';
import { LocalRequestClient, onEachBackend, setup, type Account, type ServiceApi, type TestServer } from '../support/server.js';

const START = new Date('2026-01-05T09:00:00Z');
const STANDARD = THRESHOLDS.standard.rangeMax;
const MAX = THRESHOLDS.max.rangeMax;
const production = { VERIFYD_ENV: 'production', INBOX_ENABLED: 'true' };
/** Consecutive numbers in one range (+44740010xxxx). */
const gb = (n: number) => `+4474001${String(n).padStart(5, '0')}`;
const blocked = hasError(403, 60410, (m) => assert.equal(m, 'Verification delivery attempt blocked'));

async function nothingStored(acct: Account, api: ServiceApi, to: string): Promise<void> {
  await rejectsWith(api.verifications(to).fetch(), 404, 20404);
  assert.equal((await acct.client.verify.v2.verificationAttempts.list()).filter((a) => (a.channelData as { to?: string })?.to === to).length, 0);
}

/** Starts sms to gb(from), gb(from + 1), ... and returns how many passed before the first 60410 (or all). */
async function burst(api: ServiceApi | ServiceApi[], from: number, count: number): Promise<number> {
  const apis = Array.isArray(api) ? api : [api];
  for (let i = 0; i < count; i++) {
    try {
      await apis[i % apis.length]!.verifications.create({ to: gb(from + i), channel: 'sms' });
    } catch (err) {
      blocked(err as Error);
      return i;
    }
  }
  return count;
}

onEachBackend(
  'pumping guard in production mode (on by default)',
  async (t, server, clock) => {
    await t.test('a burst to consecutive numbers: 60410 after the threshold, nothing stored, no rate-limit hit spent', async () => {
      const { acct, api } = await setup(server);
      assert.equal(await burst(api, 0, STANDARD + 5), STANDARD);
      await assert.rejects(api.verifications.create({ to: gb(50), channel: 'sms' }), blocked);
      await nothingStored(acct, api, gb(STANDARD));
      await nothingStored(acct, api, gb(50));
      assert.equal((await acct.client.verify.v2.verificationAttempts.list()).length, STANDARD);
      // The guard's refusal is raised after the rate limits are counted, and takes its hit back.
      const limit = await api.rateLimits.create({ uniqueName: 'end_user_ip' });
      await api.rateLimits(limit.sid).buckets.create({ max: 1, interval: 60 });
      const rateLimits = { end_user_ip: '203.0.113.7' };
      await assert.rejects(api.verifications.create({ to: gb(51), channel: 'sms', rateLimits }), blocked);
      assert.equal((await api.verifications.create({ to: '+15017122661', channel: 'sms', rateLimits })).status, 'pending', 'the blocked start took no hit');
      await rejectsWith(api.verifications.create({ to: gb(52), channel: 'sms', rateLimits }), 429, 20429);
    });

    await t.test('what the guard counts: accepted starts on prefix and range, blocked ones on their range only, geo refusals and safe-listed numbers not at all', async () => {
      const { acct, svc, api } = await setup(server);
      const counts = async () => {
        const c = (await server.stores.pumping.readPumping(svc.sid, pumpingKeys(gb(900)), clock.now().getTime())).counts;
        return { prefix: c.recentStarts, range: c.rangeStarts };
      };
      assert.equal(await burst(api, 900, STANDARD + 1), STANDARD);
      await assert.rejects(api.verifications.create({ to: gb(950), channel: 'sms' }), blocked);
      assert.deepEqual(await counts(), { prefix: STANDARD, range: STANDARD + 2 });
      await acct.client.verify.v2.safelist.create({ phoneNumber: gb(960) });
      assert.equal((await api.verifications.create({ to: gb(960), channel: 'sms' })).status, 'pending');
      await server.stores.geoPermissions.setGeoRule({ accountSid: acct.sid, serviceSid: svc.sid }, 'sms', { mode: 'block', countries: ['GB'] }, START.getTime());
      await rejectsWith(api.verifications.create({ to: gb(970), channel: 'sms' }), 403, 60605);
      assert.deepEqual(await counts(), { prefix: STANDARD, range: STANDARD + 2 }, 'neither the safe-listed start nor the geo refusal');
    });

    await t.test('RiskCheck=disable and a safe-listed number pass; another prefix, another channel, another service pass', async () => {
      const { acct, api } = await setup(server);
      assert.equal(await burst(api, 100, STANDARD + 1), STANDARD);
      assert.equal((await api.verifications.create({ to: gb(200), channel: 'sms', riskCheck: 'disable' })).status, 'pending');
      await acct.client.verify.v2.safelist.create({ phoneNumber: gb(201) });
      assert.equal((await api.verifications.create({ to: gb(201), channel: 'sms' })).status, 'pending');
      assert.equal((await api.verifications.create({ to: '+447400299999', channel: 'sms' })).status, 'pending', 'another range');
      assert.equal((await api.verifications.create({ to: '+12015550123', channel: 'sms' })).status, 'pending', 'another prefix');
      assert.equal((await api.verifications.create({ to: gb(202), channel: 'call' })).status, 'pending', 'RiskCheck is for sms only');
      const { api: other } = await setup(server, {}, acct);
      assert.equal((await other.verifications.create({ to: gb(203), channel: 'sms' })).status, 'pending', "another service's counters");
      await assert.rejects(api.verifications.create({ to: gb(204), channel: 'sms' }), blocked);
    });

    await t.test('the report counts each block by service, prefix and reason', async () => {
      const { acct, svc, api } = await setup(server);
      assert.equal(await burst(api, 300, STANDARD + 1), STANDARD);
      for (const n of [400, 401, 402]) await assert.rejects(api.verifications.create({ to: gb(n), channel: 'sms' }), blocked);
      const rows = await server.stores.pumping.blockReport(acct.sid);
      assert.deepEqual(
        rows.map((r) => [r.serviceSid, r.prefix, r.reason, r.blocked, r.lastBlocked]),
        [[svc.sid, '+44740', 'consecutive_numbers', 4, START.getTime()]],
      );
    });

    await t.test('a service switched off passes every start; max blocks earlier than the default', async () => {
      const { acct, svc, api } = await setup(server);
      await server.stores.pumping.setPumpingLevel(acct.sid, svc.sid, 'off', START.getTime());
      assert.equal(await burst(api, 500, STANDARD + 5), STANDARD + 5);
      const { svc: strict, api: strictApi } = await setup(server, {}, acct);
      await server.stores.pumping.setPumpingLevel(acct.sid, strict.sid, 'max', START.getTime());
      assert.equal(await burst(strictApi, 600, MAX + 1), MAX);
    });

    await t.test('two nodes on one database share the counters', async () => {
      const sibling = await server.sibling({ clock });
      try {
        const { acct, svc, api } = await setup(server);
        const theirs = onNode(sibling, acct, svc.sid);
        assert.equal(await burst([api, theirs], 700, STANDARD + 1), STANDARD);
        await assert.rejects(theirs.verifications.create({ to: gb(800), channel: 'sms' }), blocked);
      } finally {
        await sibling.close();
      }
    });

    await t.test('an approved sms check is counted on its prefix (the conversion signal)', async () => {
      const { acct, svc, api } = await setup(server);
      const to = '+447400123456';
      await api.verifications.create({ to, channel: 'sms' });
      const { code } = await server.latestMessage(acct, to);
      assert.equal((await api.verificationChecks.create({ to, code })).status, 'approved');
      const reading = await server.stores.pumping.readPumping(svc.sid, pumpingKeys(to), START.getTime());
      assert.equal(reading.counts.approvals, 1);
      assert.equal(reading.counts.recentStarts, 1);
    });
  },
  { env: production, start: START },
);

/** The same service through an SDK client of another node. */
function onNode(node: TestServer, acct: Account, serviceSid: string): ServiceApi {
  const client = twilio(acct.sid, acct.authToken, { accountSid: acct.sid, httpClient: new LocalRequestClient(node.baseUrl), autoRetry: false });
  return client.verify.v2.services(serviceSid);
}

const configFile = join(mkdtempSync(join(tmpdir(), 'verifyd-pumping-')), 'verifyd.yaml');
writeFileSync(configFile, 'pumping_guard:\n  level: max\n');

onEachBackend(
  'pumping guard in development mode (off by default)',
  async (t, server) => {
    await t.test('sequential test traffic passes; a service that sets a level is guarded', async () => {
      const { acct, svc, api } = await setup(server);
      assert.equal(await burst(api, 0, STANDARD * 2), STANDARD * 2);
      await server.stores.pumping.setPumpingLevel(acct.sid, svc.sid, 'standard', START.getTime());
      // The starts made while off were not counted.
      assert.equal(await burst(api, 1000, STANDARD + 1), STANDARD);
    });
  },
  { start: START },
);

onEachBackend(
  "pumping guard: the file's pumping_guard.level is every service's default",
  async (t, server) => {
    await t.test('max from the file; a service set to off is not judged', async () => {
      const { acct, api } = await setup(server);
      assert.equal(await burst(api, 0, MAX + 1), MAX);
      const { svc, api: off } = await setup(server, {}, acct);
      await server.stores.pumping.setPumpingLevel(acct.sid, svc.sid, 'off', START.getTime());
      assert.equal(await burst(off, 0, MAX + 5), MAX + 5);
    });
  },
  { start: START, configFile },
);
