/** EVENTS_WEBHOOK_BLOCKED_NETWORKS: groups, CIDR blocks, IPv4 mapped into IPv6, and bad values. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { BlockedNetworks, DEFAULT_BLOCKED_NETWORKS, STRICT_BLOCKED_NETWORKS, literalAddress } from '../../src/domain/events/networks.js';

const verdicts = (spec: string, addresses: string[]) => {
  const list = new BlockedNetworks(spec);
  return Object.fromEntries(addresses.map((a) => [a, list.blocks(a)]));
};

test('the default blocks metadata, link-local and reserved addresses, and leaves loopback, private and public ones', () => {
  assert.deepEqual(
    verdicts(DEFAULT_BLOCKED_NETWORKS, [
      '169.254.169.254', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192', '168.63.129.16', 'fe80::1', '0.0.0.0', '0.1.2.3', '::',
      '198.18.0.1', '224.0.0.251', 'ff02::1', '255.255.255.255', '240.0.0.1',
      '127.0.0.1', '::1', '10.0.0.1', '100.100.100.201', '192.168.1.1', 'fd12::1', '8.8.8.8', '2001:4860:4860::8888',
    ]),
    {
      '169.254.169.254': true, 'fd00:ec2::254': true, '100.100.100.200': true, '192.0.0.192': true, '168.63.129.16': true,
      'fe80::1': true, '0.0.0.0': true, '0.1.2.3': true, '::': true,
      '198.18.0.1': true, '224.0.0.251': true, 'ff02::1': true, '255.255.255.255': true, '240.0.0.1': true,
      '127.0.0.1': false, '::1': false, '10.0.0.1': false, '100.100.100.201': false, '192.168.1.1': false, 'fd12::1': false,
      '8.8.8.8': false, '2001:4860:4860::8888': false,
    },
  );
});

test('loopback covers the unspecified addresses too (they reach the local host on Linux); the strict set covers all', () => {
  assert.deepEqual(verdicts('loopback', ['127.0.0.1', '::1', '0.0.0.0', '::', '169.254.169.254']), {
    '127.0.0.1': true, '::1': true, '0.0.0.0': true, '::': true, '169.254.169.254': false,
  });
  assert.deepEqual(verdicts(STRICT_BLOCKED_NETWORKS, ['127.0.0.1', '10.0.0.1', '169.254.169.254', '100.100.100.200', 'fd12::1', '8.8.8.8']), {
    '127.0.0.1': true, '10.0.0.1': true, '169.254.169.254': true, '100.100.100.200': true, 'fd12::1': true, '8.8.8.8': false,
  });
});

test('IPv4 addresses mapped into IPv6 are judged by the IPv4 rules, in both spellings', () => {
  assert.deepEqual(verdicts('loopback,private', ['::ffff:127.0.0.1', '::FFFF:7f00:1', '::ffff:a00:1', '::ffff:808:808']), {
    '::ffff:127.0.0.1': true, '::FFFF:7f00:1': true, '::ffff:a00:1': true, '::ffff:808:808': false,
  });
});

test('IPv6 forms that carry an IPv4 address (compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that address', () => {
  const embedded = [
    '::127.0.0.1', '::7f00:1', '64:ff9b::7f00:1', '64:ff9b::127.0.0.1', '2002:7f00:1::', '2002:7f00:1:5::9', // 127.0.0.1
    '::a00:1', '64:ff9b::a00:1', '2002:a00:1::1', // 10.0.0.1
    '::808:808', '64:ff9b::808:808', '2002:808:808::1', // 8.8.8.8
  ];
  assert.deepEqual(verdicts('loopback,private', embedded), {
    '::127.0.0.1': true, '::7f00:1': true, '64:ff9b::7f00:1': true, '64:ff9b::127.0.0.1': true, '2002:7f00:1::': true, '2002:7f00:1:5::9': true,
    '::a00:1': true, '64:ff9b::a00:1': true, '2002:a00:1::1': true,
    '::808:808': false, '64:ff9b::808:808': false, '2002:808:808::1': false,
  });
  // The default reaches metadata through them too; :: and ::1 stay themselves (0.0.0.0/8 is not theirs).
  assert.deepEqual(verdicts(DEFAULT_BLOCKED_NETWORKS, ['::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::', '64:ff9b::7f00:1', '::1', '::']), {
    '::a9fe:a9fe': true, '64:ff9b::a9fe:a9fe': true, '2002:a9fe:a9fe::': true, '64:ff9b::7f00:1': false, '::1': false, '::': true,
  });
  // Only those prefixes: elsewhere the low 32 bits are not an IPv4 address.
  assert.deepEqual(verdicts('loopback', ['64:ff9b:1::7f00:1', '2001:db8::7f00:1', '1::7f00:1', '2003:7f00:1::']), {
    '64:ff9b:1::7f00:1': false, '2001:db8::7f00:1': false, '1::7f00:1': false, '2003:7f00:1::': false,
  });
});

test('groups and CIDR blocks combine; none blocks nothing; names are not addresses', () => {
  assert.deepEqual(verdicts('loopback, 203.0.113.0/24 ,2001:db8::/32', ['127.9.9.9', '203.0.113.7', '203.0.114.1', '2001:db8::5', '169.254.169.254']), {
    '127.9.9.9': true, '203.0.113.7': true, '203.0.114.1': false, '2001:db8::5': true, '169.254.169.254': false,
  });
  assert.deepEqual(verdicts('none', ['169.254.169.254', '::1']), { '169.254.169.254': false, '::1': false });
  assert.equal(new BlockedNetworks('loopback').blocks('localhost'), false);
});

test('bad values are refused with what is allowed', () => {
  for (const spec of ['', ' , ', 'lan', 'constructor', '__proto__', 'toString', '10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x', 'none,loopback', '300.0.0.0/8']) {
    assert.throws(() => new BlockedNetworks(spec), /is empty|neither a group/, JSON.stringify(spec));
  }
});

test('literalAddress: IP hosts (as URL normalises them) and not names', () => {
  assert.equal(literalAddress(new URL('http://[::1]:80/')), '::1');
  assert.equal(literalAddress(new URL('http://2130706433/')), '127.0.0.1');
  assert.equal(literalAddress(new URL('http://[::ffff:10.0.0.1]/')), '::ffff:a00:1');
  assert.equal(literalAddress(new URL('http://example.com/')), undefined);
});

test('config: the default, a custom value, and a bad value reported by name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-networks-'));
  try {
    const env = { SQLITE_PATH: join(dir, 'v.db') };
    assert.equal(loadConfig(env).events.webhookBlockedNetworks.spec, DEFAULT_BLOCKED_NETWORKS);
    assert.equal(loadConfig({ ...env, EVENTS_WEBHOOK_BLOCKED_NETWORKS: '' }).events.webhookBlockedNetworks.spec, DEFAULT_BLOCKED_NETWORKS, 'empty means unset');
    assert.equal(loadConfig({ ...env, EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'none' }).events.webhookBlockedNetworks.blocks('169.254.169.254'), false);
    assert.throws(
      () => loadConfig({ ...env, EVENTS_WEBHOOK_BLOCKED_NETWORKS: 'loopback,lan' }),
      (err: unknown) => err instanceof ConfigError && /EVENTS_WEBHOOK_BLOCKED_NETWORKS has "lan", which is neither a group/.test(err.message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
