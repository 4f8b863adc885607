/**
 * VERIFYD_CONFIG's `lookup`: the bundled data by default, the Twilio Lookup v2 provider with its
 * defaults, and every problem listed with where it is and never a value.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'verifyd-lookup-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const KEY = 'k1:' + 'a'.repeat(64);

function load(text: string, env: Record<string, string> = {}) {
  const path = join(dir, `v${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return loadConfig({ CODE_KEYS: KEY, VERIFYD_CONFIG: path, ...env });
}

function problems(text: string): string[] {
  try {
    load(text);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
  }
  assert.fail('no ConfigError');
}

test('no lookup section, or one without a type: the bundled data, no Canadian carrier data', () => {
  assert.deepEqual(loadConfig({ CODE_KEYS: KEY }).lookup, { type: 'bundled', canada_carrier_data: false });
  assert.deepEqual(load('routes: {}\n').lookup, { type: 'bundled', canada_carrier_data: false });
  assert.deepEqual(load('lookup:\n  canada_carrier_data: true\n').lookup, { type: 'bundled', canada_carrier_data: true });
});

test('type twilio: credentials (from the environment), Twilio\'s host and a 2 s timeout by default', () => {
  const c = load(`lookup:\n  type: twilio\n  account_sid: AC${'1'.repeat(32)}\n  auth_token: \${LOOKUP_TOKEN}\n`, { LOOKUP_TOKEN: 'tok' });
  assert.deepEqual(c.lookup, {
    type: 'twilio',
    canada_carrier_data: false,
    account_sid: `AC${'1'.repeat(32)}`,
    auth_token: 'tok',
    api_base_url: 'https://lookups.twilio.com',
    timeout_ms: 2000,
  });
});

test('every problem of the lookup section, each saying where, none quoting a value', () => {
  const found = problems(`lookup:\n  type: twilio\n  auth_token: hunter2\n  api_base_url: ftp://example.com\n  timeout_ms: 5\n  canada: yes\n`);
  assert.deepEqual(found, [
    'VERIFYD_CONFIG: lookup.account_sid: is required',
    'VERIFYD_CONFIG: lookup.api_base_url: Invalid URL',
    'VERIFYD_CONFIG: lookup.timeout_ms: Too small: expected number to be >=50',
    'VERIFYD_CONFIG: lookup: unknown key canada',
  ]);
  assert.ok(!found.join('\n').includes('hunter2'));
  assert.deepEqual(problems('lookup: [twilio]\n'), ['VERIFYD_CONFIG: lookup: must be a mapping with type (bundled or twilio) and its settings']);
  assert.match(problems('lookup:\n  type: hlr\n')[0]!, /^VERIFYD_CONFIG: lookup\.type: /);
});
