import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CREDENTIAL_CACHE_MS, CredentialCache } from '../../src/api/plugins/auth.js';

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const AC = `AC${'1'.repeat(32)}`;

test('only the exact header that verified is served from the cache', () => {
  let now = 1_000;
  const cache = new CredentialCache(() => now);
  cache.set(basic(AC, 'right'), AC);
  assert.equal(cache.get(basic(AC, 'right')), AC);
  assert.equal(cache.get(basic(AC, 'wrong')), undefined, 'a wrong secret for a cached account is never a hit');
  assert.equal(cache.get(basic(AC, 'right ')), undefined);
  now += CREDENTIAL_CACHE_MS - 1;
  assert.equal(cache.get(basic(AC, 'right')), AC, 'still inside the window');
  now += 1;
  assert.equal(cache.get(basic(AC, 'right')), undefined, 'expired at the end of the window');
});

test('the cache is bounded: the oldest entries make room', () => {
  const cache = new CredentialCache(() => 0);
  for (let i = 0; i < 10_001; i++) cache.set(basic(AC, `secret-${i}`), AC);
  assert.equal(cache.get(basic(AC, 'secret-0')), undefined, 'the oldest entry was dropped');
  assert.equal(cache.get(basic(AC, 'secret-10000')), AC);
});
