/**
 * The Safe List (/v2/SafeList/Numbers) and geo permissions through the official SDK, on both
 * backends. Geo permissions come from the configuration file (here: sms blocked to FR), an
 * account's rule and a service's rule (the CLI writes them; test/api/process-geo.test.ts), the most
 * specific winning. A start to a blocked country answers 60605 (403) and stores and sends nothing;
 * a safe-listed number is not judged, nor an sms start with RiskCheck=disable (sms only).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const GB = '+447400123456';
const FR = '+33612345678';
const US = '+15017122661';

const configFile = join(mkdtempSync(join(tmpdir(), 'verifyd-geo-')), 'verifyd.yaml');
writeFileSync(configFile, 'geo_permissions:\n  sms:\n    block: [fr]\n');

/** Nothing of a refused start is stored: the account has no attempt and the inbox has no message for it. */
async function nothingStored(server: TestServer, acct: Account, to: string): Promise<void> {
  assert.equal((await acct.client.verify.v2.verificationAttempts.list()).filter((a) => (a.channelData as { to?: string })?.to === to).length, 0);
  const res = await server.fetch(`/inbox/messages?To=${encodeURIComponent(to)}`, { auth: { user: acct.sid, pass: acct.authToken } });
  assert.deepEqual(((await res.json()) as { messages: unknown[] }).messages, []);
}

onEachBackend(
  'safe list and geo permissions',
  async (t, server) => {
    await t.test('SafeList: add (twice: the same entry), fetch, remove; the url keeps the raw +', async () => {
      const acct = await server.account();
      const safe = acct.client.verify.v2.safelist;
      const added = await safe.create({ phoneNumber: GB });
      assert.match(added.sid, /^GN[0-9a-f]{32}$/);
      assert.equal(added.phoneNumber, GB);
      assert.equal(added.url, `${server.baseUrl}/v2/SafeList/Numbers/${GB}`);
      assert.equal((await safe.create({ phoneNumber: GB })).sid, added.sid);
      const fetched = await safe(GB).fetch();
      assert.deepEqual([fetched.sid, fetched.phoneNumber], [added.sid, GB]);
      assert.equal(await safe(GB).remove(), true);
      await rejectsWith(safe(GB).fetch(), 404, 20404);
      await rejectsWith(safe(GB).remove(), 404, 20404);
    });

    await t.test("SafeList: another account's list is not seen; a number that is not E.164 is 60200", async () => {
      const [a, b] = [await server.account(), await server.account()];
      await a.client.verify.v2.safelist.create({ phoneNumber: US });
      await rejectsWith(b.client.verify.v2.safelist(US).fetch(), 404, 20404);
      await rejectsWith(b.client.verify.v2.safelist(US).remove(), 404, 20404);
      assert.equal((await a.client.verify.v2.safelist(US).fetch()).phoneNumber, US);
      await rejectsWith(a.client.verify.v2.safelist.create({ phoneNumber: '5017122661' }), 400, 60200);
      await rejectsWith(a.client.verify.v2.safelist.create({ phoneNumber: '+1501712266' }), 400, 60200);
    });

    await t.test("the file's default blocks sms to FR: 60605, nothing stored; other channels and countries pass", async () => {
      const { acct, api } = await setup(server);
      await rejectsWith(api.verifications.create({ to: FR, channel: 'sms' }), 403, 60605);
      await nothingStored(server, acct, FR);
      assert.equal((await api.verifications.create({ to: FR, channel: 'call' })).status, 'pending');
      assert.equal((await api.verifications.create({ to: GB, channel: 'sms' })).status, 'pending');
      assert.equal((await api.verifications.create({ to: 'ann@example.com', channel: 'email' })).status, 'pending');
    });

    await t.test("the account's rule overrides the file's, the service's overrides the account's", async () => {
      const { acct, svc, api } = await setup(server);
      const other = acct.client.verify.v2.services((await acct.client.verify.v2.services.create({ friendlyName: 'Other' })).sid);
      const geo = server.stores.geoPermissions;
      await geo.setGeoRule({ accountSid: acct.sid, serviceSid: null }, 'sms', { mode: 'allow', countries: ['FR', 'US'] }, Date.now());
      assert.equal((await api.verifications.create({ to: FR, channel: 'sms' })).status, 'pending', 'the account allows FR');
      await rejectsWith(api.verifications.create({ to: GB, channel: 'sms' }), 403, 60605);
      await geo.setGeoRule({ accountSid: acct.sid, serviceSid: svc.sid }, 'sms', { mode: 'allow', countries: ['GB'] }, Date.now());
      assert.equal((await api.verifications.create({ to: GB, channel: 'sms' })).status, 'pending', 'the service allows GB');
      await rejectsWith(api.verifications.create({ to: US, channel: 'sms' }), 403, 60605);
      assert.equal((await other.verifications.create({ to: US, channel: 'sms' })).status, 'pending', "another service has the account's rule");
      await nothingStored(server, acct, US.replace('661', '662'));
    });

    await t.test('a safe-listed number is not judged; RiskCheck=disable skips geo for sms only', async () => {
      const { acct, svc, api } = await setup(server);
      await server.stores.geoPermissions.setGeoRule({ accountSid: acct.sid, serviceSid: svc.sid }, 'call', { mode: 'block', countries: ['FR'] }, Date.now());
      await rejectsWith(api.verifications.create({ to: FR, channel: 'sms' }), 403, 60605);
      assert.equal((await api.verifications.create({ to: FR, channel: 'sms', riskCheck: 'disable' })).status, 'pending');
      await rejectsWith(api.verifications.create({ to: FR, channel: 'call', riskCheck: 'disable' }), 403, 60605);
      await acct.client.verify.v2.safelist.create({ phoneNumber: FR });
      assert.equal((await api.verifications.create({ to: FR, channel: 'call' })).status, 'pending');
      const other = await server.account();
      const { api: theirs } = await setup(server, {}, other);
      await rejectsWith(theirs.verifications.create({ to: FR, channel: 'sms' }), 403, 60605);
    });

    await t.test('Service Rate Limits come first: an over-limit start answers 20429 whatever its country; a geo refusal spends no hit', async () => {
      const { api } = await setup(server);
      const limit = await api.rateLimits.create({ uniqueName: 'end_user_ip' });
      await api.rateLimits(limit.sid).buckets.create({ max: 1, interval: 60 });
      const rateLimits = { end_user_ip: '203.0.113.7' };
      await rejectsWith(api.verifications.create({ to: FR, channel: 'sms', rateLimits }), 403, 60605);
      assert.equal((await api.verifications.create({ to: US, channel: 'sms', rateLimits })).status, 'pending', 'the refused start took no hit');
      await rejectsWith(api.verifications.create({ to: FR, channel: 'sms', rateLimits }), 429, 20429);
    });
  },
  { env: { VERIFYD_CONFIG: configFile } },
);
