/**
 * VERIFYD_ENV in the schema: what each mode leaves on by default, that a set value wins, that
 * NODE_ENV plays no part, and what production refuses (a bootstrap token that is not 32 hex).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../../src/config/config.js';
import { DEFAULT_BLOCKED_NETWORKS, STRICT_BLOCKED_NETWORKS } from '../../src/domain/events/networks.js';

const KEYS = { CODE_KEYS: 'k1:' + 'a'.repeat(64) };
const load = (env: Record<string, string>) => loadConfig({ ...KEYS, ...env });
const PRODUCTION = { VERIFYD_ENV: 'production' };

function problems(env: Record<string, string>): string {
  try {
    load(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  assert.fail(`no ConfigError for ${JSON.stringify(env)}`);
}

const modal = (c: Config) => ({
  mode: c.mode,
  inboxEnabled: c.inboxEnabled,
  snaSimulator: c.snaSimulator,
  kinesisAssumeRole: c.events.kinesisAssumeRole,
  webhookBlockedNetworks: c.events.webhookBlockedNetworks.spec,
});

test('development is the default and keeps the conveniences on; NODE_ENV plays no part', () => {
  const dev = { mode: 'development', inboxEnabled: true, snaSimulator: true, kinesisAssumeRole: false, webhookBlockedNetworks: DEFAULT_BLOCKED_NETWORKS };
  assert.deepEqual(modal(load({})), dev);
  assert.deepEqual(modal(load({ VERIFYD_ENV: 'development' })), dev);
  assert.deepEqual(modal(load({ NODE_ENV: 'production' })), dev);
  assert.equal(load({ ...PRODUCTION, NODE_ENV: 'development' }).mode, 'production');
});

test('production turns the inbox and the SNA simulator off, assumes Kinesis roles and blocks with the strict list', () => {
  const c = load(PRODUCTION);
  assert.deepEqual(modal(c), { mode: 'production', inboxEnabled: false, snaSimulator: false, kinesisAssumeRole: true, webhookBlockedNetworks: STRICT_BLOCKED_NETWORKS });
  const blocked = c.events.webhookBlockedNetworks;
  for (const a of ['127.0.0.1', '::1', '10.0.0.1', '172.16.0.1', '192.168.0.1', '100.64.0.1', 'fd00::1', '169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1', 'ff02::1', '::ffff:127.0.0.1']) {
    assert.ok(blocked.blocks(a), `${a} is blocked`);
  }
  assert.ok(!blocked.blocks('203.0.113.7'));
  assert.equal(c.bootstrapCredentialsFile, resolve('./verifyd-credentials'));
});

test('a value that is set wins over the mode', () => {
  const c = load({ ...PRODUCTION, INBOX_ENABLED: 'true', SNA_SIMULATOR: 'true', KINESIS_ASSUME_ROLE: 'off', EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'none', BOOTSTRAP_CREDENTIALS_FILE: '/srv/verifyd/first' });
  assert.deepEqual(modal(c), { mode: 'production', inboxEnabled: true, snaSimulator: true, kinesisAssumeRole: false, webhookBlockedNetworks: 'none' });
  assert.equal(c.bootstrapCredentialsFile, '/srv/verifyd/first');
  const d = load({ INBOX_ENABLED: 'false', SNA_SIMULATOR: 'false', KINESIS_ASSUME_ROLE: 'on', EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'loopback' });
  assert.deepEqual(modal(d), { mode: 'development', inboxEnabled: false, snaSimulator: false, kinesisAssumeRole: true, webhookBlockedNetworks: 'loopback' });
  // KINESIS_STS_ENDPOINT needs assumed roles, which production has by default.
  assert.equal(load({ ...PRODUCTION, KINESIS_STS_ENDPOINT: 'http://127.0.0.1:9' }).events.kinesisStsEndpoint, 'http://127.0.0.1:9');
  assert.match(problems({ KINESIS_STS_ENDPOINT: 'http://127.0.0.1:9' }), /KINESIS_STS_ENDPOINT is only used with KINESIS_ASSUME_ROLE=on/);
});

test('bad mode values are configuration errors, listed together', () => {
  const message = problems({ VERIFYD_ENV: 'staging', INBOX_ENABLED: 'yes', SNA_SIMULATOR: 'on', KINESIS_ASSUME_ROLE: 'true' });
  assert.match(message, /VERIFYD_ENV must be development or production \(got "staging"\)/);
  assert.match(message, /INBOX_ENABLED must be true or false \(got "yes"\)/);
  assert.match(message, /SNA_SIMULATOR must be true or false \(got "on"\)/);
  assert.match(message, /KINESIS_ASSUME_ROLE must be on or off \(got "true"\)/);
});

test('production refuses a bootstrap auth token that is not 32 hex characters, without quoting it', () => {
  const sid = `AC${'0123456789abcdef'.repeat(2)}`;
  for (const token of ['a-token-chosen-by-the-operator', 'f'.repeat(31), 'f'.repeat(33), 'g'.repeat(32)]) {
    const message = problems({ ...PRODUCTION, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token });
    assert.match(message, /TWILIO_AUTH_TOKEN must be 32 hexadecimal characters in production/);
    assert.ok(!message.includes(token), 'the token is not echoed');
  }
  for (const token of ['0123456789abcdef'.repeat(2), 'ABCDEF0123456789'.repeat(2)]) {
    assert.equal(load({ ...PRODUCTION, TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: token }).bootstrapAuthToken, token);
  }
  // Development keeps taking any token.
  assert.equal(load({ TWILIO_ACCOUNT_SID: sid, TWILIO_AUTH_TOKEN: 'dev' }).bootstrapAuthToken, 'dev');
});
