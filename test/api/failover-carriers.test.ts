/**
 * Failover from each of the other carriers when it cannot be reached, through a VERIFYD_CONFIG file
 * as an operator writes it: a Vonage, HTTP gateway, SMPP or WhatsApp Cloud provider on a port that
 * refuses connections, or one that accepts TCP and never completes TLS, first in its route, and a
 * Twilio provider at the REST stand-in after it. The code must reach the stand-in in the same
 * dispatcher run (one try counted), the attempt's tries saying `unreachable` then `sent`: a thrown
 * error failover did not recognise would stop the run and wait for a retry with backoff instead.
 */
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { REFUSED_HOST, silentHost } from '../support/local-http.js';
import { providersFile } from '../support/provider-config.js';
import { onEachBackend, setup, type TestServer } from '../support/server.js';
import { TwilioRestStandIn } from '../support/twilio-rest.js';
import { until } from '../support/until.js';

const SID = `AC${'7e'.repeat(16)}`;
const TOKEN = 'failover-carriers-token';
const standIn = await TwilioRestStandIn.start({ [SID]: TOKEN });

const silent = await silentHost();
const closedHost = REFUSED_HOST;
after(async () => {
  await standIn.close();
  silent.close();
});

const vonage = { type: 'vonage', api_key: 'k1', api_secret: 's1', signature_secret: 'sig', from: 'Acme' };
const whatsappCloud = { type: 'whatsapp_cloud', phone_number_id: '1234', access_token: 't', app_secret: 'a', verify_token: 'v', template_name: 'otp' };
const configFile = providersFile({
  providers: [
    { name: 'backup', type: 'twilio', account_sid: SID, auth_token: TOKEN, api_base_url: standIn.url, sms_from: '+15005550006', whatsapp_from: '+15005550006' },
    { name: 'vonage-down', ...vonage, api_base_url: `http://${closedHost}` },
    { name: 'vonage-silent', ...vonage, api_base_url: `https://${silent.host}`, connect_timeout_ms: 100 },
    { name: 'gateway-down', type: 'http', url: `http://${closedHost}/send`, secret: 'a-gateway-secret-of-16+' },
    { name: 'smsc-down', type: 'smpp', url: `smpp://${closedHost}`, system_id: 'verifyd', password: 'secret', source_addr: 'Acme' },
    { name: 'meta-down', ...whatsappCloud, api_base_url: `http://${closedHost}` },
  ],
  routes: {
    sms: {
      default: ['vonage-down', 'backup'],
      countries: { GB: ['vonage-silent', 'backup'], FR: ['gateway-down', 'backup'], DE: ['smsc-down', 'backup'] },
    },
    whatsapp: ['meta-down', 'backup'],
  },
  // Circuits stay closed: every send meets the unreachable carrier first.
  failover: { circuit_failures: 1000 },
});

interface Try {
  provider: string;
  result: string;
}

/** Starts a verification; resolves with its attempt's tries once a provider took the code, and the job. */
async function send(server: TestServer, to: string, channel: 'sms' | 'whatsapp') {
  const { acct, api } = await setup(server);
  const v = await api.verifications.create({ to, channel });
  const vl = v.sendCodeAttempts[0]?.attempt_sid as string;
  const fetch = async () => (await acct.client.verify.v2.verificationAttempts(vl).fetch()).channelData as { provider: string | null; tries: Try[] };
  const data = await until(fetch, (d) => d.provider !== null, `a provider to take the code for ${to}`);
  const job = await server.stores.sendJobs.sendJobStatus(vl);
  return { tries: data.tries.map((t) => `${t.provider}:${t.result}`), runs: job?.attempts };
}

let n = 10;
const cases: Array<[string, string, 'sms' | 'whatsapp', string]> = [
  ['Vonage refusing connections', '+150171227', 'sms', 'vonage-down'],
  ['Vonage never completing TLS (its connect_timeout_ms)', '+4474001234', 'sms', 'vonage-silent'],
  ['an HTTP gateway refusing connections', '+336123456', 'sms', 'gateway-down'],
  ['an SMSC refusing connections', '+49151234567', 'sms', 'smsc-down'],
  ['the WhatsApp Cloud API refusing connections', '+150171228', 'whatsapp', 'meta-down'],
];

onEachBackend(
  'failover from the other carriers when not reached',
  async (t, server) => {
    for (const [what, prefix, channel, first] of cases) {
      await t.test(`${what}: the backup sends in the same run`, async () => {
        const to = `${prefix}${String(n++).padStart(2, '0')}`;
        const { tries, runs } = await send(server, to, channel);
        assert.deepEqual(tries, [`${first}:unreachable`, 'backup:sent']);
        assert.equal(runs, 1, 'one dispatcher run: no retry with backoff');
        assert.ok(standIn.created.some((c) => String(c.form.To).replace(/^whatsapp:/, '') === to));
      });
    }
  },
  { configFile, sends: { timeoutMs: 30_000 } },
);
