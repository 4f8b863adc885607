/**
 * /v2/Services/{ServiceSid}/MessagingConfigurations[/{Country}] through the official SDK, on both
 * databases: create, fetch, list (paged), update, delete; an unknown sender profile (21701), a
 * duplicate country (60213), another account's service (20404); and a configuration choosing which
 * providers send, ahead of the routes.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { CodeKeyring } from '../../src/domain/code/keys.js';
import { twilioProviderSchema } from '../../src/channels/twilio/config.js';
import { TwilioProvider } from '../../src/channels/twilio/provider.js';
import { onEachBackend, setup } from '../support/server.js';
import { TwilioRestStandIn } from '../support/twilio-rest.js';
import { until } from '../support/until.js';

const SID = `AC${'7a'.repeat(16)}`;
const TOKEN = 'mc-upstream-token';
const standIn = await TwilioRestStandIn.start({ [SID]: TOKEN });
after(() => standIn.close());

const MG_ROUTED = `MG${'1'.repeat(32)}`;
const MG_OTHER = `MG${'2'.repeat(32)}`;
const MG_UNKNOWN = `MG${'9'.repeat(32)}`;

let publicBase = '';
let codeKeys: CodeKeyring | undefined;
const twilio = (name: string, from: string) =>
  new TwilioProvider(
    twilioProviderSchema.parse({ type: 'twilio', name, account_sid: SID, auth_token: TOKEN, api_base_url: standIn.url, sms_from: from }),
    () => publicBase,
    () => codeKeys ?? assert.fail('no code keys'),
  );

const PROVIDERS = {
  providers: [twilio('routed', '+15005550006'), twilio('profile', '+15005550007')],
  routes: { sms: { default: ['routed'] } },
  messagingServices: [
    { sid: MG_ROUTED, sms: ['profile'] },
    { sid: MG_OTHER, sms: ['routed'] },
  ],
};

const twilioError = async (p: Promise<unknown>, code: number, status: number) =>
  assert.rejects(p, (e: { code?: number; status?: number }) => {
    assert.deepEqual([e.code, e.status], [code, status]);
    return true;
  });

onEachBackend(
  'Messaging Configurations',
  async (t, server) => {
    publicBase = server.baseUrl;
    codeKeys = server.deps.keys;

    await t.test('create, fetch, list, update and delete through the SDK, with the spec fields', async () => {
      const { acct, svc, api } = await setup(server);
      const created = await api.messagingConfigurations.create({ country: 'gb', messagingServiceSid: MG_ROUTED });
      assert.deepEqual([created.accountSid, created.serviceSid, created.country, created.messagingServiceSid], [acct.sid, svc.sid, 'GB', MG_ROUTED]);
      assert.equal(created.url, `${server.baseUrl}/v2/Services/${svc.sid}/MessagingConfigurations/GB`);
      assert.ok(created.dateCreated instanceof Date && created.dateUpdated instanceof Date);
      await api.messagingConfigurations.create({ country: 'all', messagingServiceSid: MG_OTHER });
      await api.messagingConfigurations.create({ country: 'FR', messagingServiceSid: MG_OTHER });

      const fetched = await api.messagingConfigurations('GB').fetch();
      assert.deepEqual(fetched.toJSON(), created.toJSON());
      const listed = await api.messagingConfigurations.list({ pageSize: 2 });
      assert.deepEqual(listed.map((c) => c.country), ['GB', 'all', 'FR'], 'every page, in creation order');
      const page = await api.messagingConfigurations.page({ pageSize: 2 });
      assert.equal(page.instances.length, 2);
      assert.ok((page as unknown as { nextPageUrl?: string }).nextPageUrl);

      const updated = await api.messagingConfigurations('GB').update({ messagingServiceSid: MG_OTHER });
      assert.equal(updated.messagingServiceSid, MG_OTHER);
      assert.equal((await api.messagingConfigurations('GB').fetch()).messagingServiceSid, MG_OTHER);

      assert.equal(await api.messagingConfigurations('GB').remove(), true);
      await twilioError(api.messagingConfigurations('GB').fetch(), 20404, 404);
      await twilioError(api.messagingConfigurations('GB').remove(), 20404, 404);
      assert.deepEqual((await api.messagingConfigurations.list()).map((c) => c.country), ['all', 'FR']);
    });

    await t.test('refusals: an unknown sender profile 21701, a duplicate country 60213, bad input 60200', async () => {
      const { api } = await setup(server);
      await twilioError(api.messagingConfigurations.create({ country: 'US', messagingServiceSid: MG_UNKNOWN }), 21701, 400);
      await api.messagingConfigurations.create({ country: 'US', messagingServiceSid: MG_ROUTED });
      await twilioError(api.messagingConfigurations.create({ country: 'us', messagingServiceSid: MG_OTHER }), 60213, 400);
      await twilioError(api.messagingConfigurations('US').update({ messagingServiceSid: MG_UNKNOWN }), 21701, 400);
      await twilioError(api.messagingConfigurations.create({ country: 'USA', messagingServiceSid: MG_ROUTED }), 60200, 400);
      await twilioError(api.messagingConfigurations.create({ country: 'DE', messagingServiceSid: 'not-a-sid' }), 60200, 400);
      assert.equal((await api.messagingConfigurations('US').fetch()).messagingServiceSid, MG_ROUTED, 'nothing changed');
      assert.deepEqual((await api.messagingConfigurations.list()).map((c) => c.country), ['US']);
    });

    await t.test("another account's service is not found, and its configurations are not listed", async () => {
      const mine = await setup(server);
      await mine.api.messagingConfigurations.create({ country: 'all', messagingServiceSid: MG_ROUTED });
      const other = await server.account();
      const theirs = other.client.verify.v2.services(mine.svc.sid);
      await twilioError(theirs.messagingConfigurations.list(), 20404, 404);
      await twilioError(theirs.messagingConfigurations('all').fetch(), 20404, 404);
      await twilioError(theirs.messagingConfigurations.create({ country: 'GB', messagingServiceSid: MG_ROUTED }), 20404, 404);
      await twilioError(theirs.messagingConfigurations('all').update({ messagingServiceSid: MG_OTHER }), 20404, 404);
      await twilioError(theirs.messagingConfigurations('all').remove(), 20404, 404);
      assert.equal((await mine.api.messagingConfigurations('all').fetch()).messagingServiceSid, MG_ROUTED);
    });

    await t.test("a service's configuration picks the profile's providers ahead of the route; the country's wins over all", async () => {
      const { acct, api } = await setup(server);
      const sentBy = async (to: string) => {
        const v = await api.verifications.create({ to, channel: 'sms' });
        const created = await standIn.waitFor((c) => c.form.To === to && c.form.Body !== undefined && !used.has(c.sid), `a message to ${to}`);
        used.add(created.sid);
        const attempt = acct.client.verify.v2.verificationAttempts(v.sendCodeAttempts[0]?.attempt_sid as string);
        const a = await until(() => attempt.fetch(), (x) => (x.channelData as { provider: unknown }).provider !== null, 'the provider recorded');
        return [created.form.From, (a.channelData as { provider: unknown }).provider];
      };
      assert.deepEqual(await sentBy('+15017122661'), ['+15005550006', 'routed'], 'no configuration: the route');
      await api.messagingConfigurations.create({ country: 'all', messagingServiceSid: MG_ROUTED });
      assert.deepEqual(await sentBy('+15017122662'), ['+15005550007', 'profile'], 'all: the profile');
      await api.messagingConfigurations.create({ country: 'US', messagingServiceSid: MG_OTHER });
      assert.deepEqual(await sentBy('+15017122663'), ['+15005550006', 'routed'], "the country's own configuration wins");
      assert.deepEqual(await sentBy('+447400123456'), ['+15005550007', 'profile'], 'other countries keep all');
    });
  },
  { providers: PROVIDERS },
);

const used = new Set<string>();
