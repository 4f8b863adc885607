import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_AUTHORIZATION_LENGTH, authenticate, basicToken } from '../../src/api/plugins/auth.js';
import { TwilioError } from '../../src/domain/errors.js';
import type { AccountStore } from '../../src/domain/ports.js';

test('basicToken reads the credentials of Basic, in any case, with spaces around them', () => {
  assert.equal(basicToken('Basic QUM6eA=='), 'QUM6eA==');
  assert.equal(basicToken('basic   QUM6eA==  '), 'QUM6eA==');
  assert.equal(basicToken('BASIC QUM6eA=='), 'QUM6eA==');
  assert.equal(basicToken('Basic '), '');
  for (const bad of ['Basic', 'BasicQUM6eA==', 'Bearer QUM6eA==', 'Basic\tQUM6eA==', 'Basic QUM6 eA==', 'Basic QUM6eA==\t', ' Basic QUM6eA==']) {
    assert.equal(basicToken(bad), undefined, JSON.stringify(bad));
  }
});

test('basicToken answers at once on a 1 MB run of spaces ending in a tab (the old regex took minutes)', () => {
  // One pass over the input: under the runner's ordinary timeout even at this size.
  assert.equal(basicToken(`Basic${' '.repeat(1_000_000)}\tx`), undefined);
  assert.equal(basicToken(`Basic ${' '.repeat(1_000_000)}x${' '.repeat(1_000_000)}\t`), undefined);
});

test('authenticate refuses an over-long Authorization header without reading it or the store', async () => {
  const store = new Proxy({} as AccountStore, {
    get() {
      throw new Error('the store must not be asked');
    },
  });
  const header = `Basic ${'A'.repeat(MAX_AUTHORIZATION_LENGTH)}`;
  await assert.rejects(authenticate(store, header), (err: unknown) => err instanceof TwilioError && err.code === 20003);
});
