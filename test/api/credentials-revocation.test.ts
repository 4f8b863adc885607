/**
 * Rotation and revocation (issue 14): Twilio's secondary auth token (both work until promotion,
 * then only the new primary), and API key deletion, seen by the API at once: on the node that made
 * the change, and on every other PostgreSQL node through LISTEN/NOTIFY, which drops the credential
 * cache entries (observed as the cache's `invalidated` event). The clocks are manual and never
 * advanced, so the cache window (CREDENTIAL_CACHE_MS) cannot be what made a credential stop
 * working; the SQLite case shows that window is what a node without notifications waits for.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import twilio from 'twilio';
import { createApiKey, promoteToken, rotateToken } from '../../src/accounts/accounts.js';
import { CREDENTIAL_CACHE_MS, type CredentialCache } from '../../src/api/plugins/auth.js';
import { ManualClock } from '../../src/domain/clock.js';
import { rejectsWith } from '../support/assertions.js';
import { signatureValid, subscribeWebhook } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { LocalRequestClient, onEachBackend, setup, startServer, type TestServer } from '../support/server.js';

const START = new Date('2026-03-01T10:00:00Z');

const clientOn = (server: TestServer, user: string, pass: string, accountSid?: string) =>
  twilio(user, pass, { accountSid, httpClient: new LocalRequestClient(server.baseUrl), autoRetry: false });

/** Whether a client's credentials are accepted: a list call succeeds, or fails 401 20003. */
async function works(client: ReturnType<typeof twilio>): Promise<boolean> {
  try {
    await client.verify.v2.services.list({ limit: 1 });
    return true;
  } catch (err) {
    assert.equal((err as { status: number }).status, 401, String(err));
    assert.equal((err as { code: number }).code, 20003);
    return false;
  }
}

/** Resolves when `cache` drops the entries of `accountSid`. */
async function invalidationOf(cache: CredentialCache, accountSid: string): Promise<void> {
  for (;;) {
    const [sid] = (await once(cache, 'invalidated')) as [string | null];
    if (sid === accountSid) return;
  }
}

onEachBackend(
  'a secondary token works beside the primary; after promotion the old primary is refused at once',
  async (_t, server, clock) => {
    const acct = await server.account();
    const primary = clientOn(server, acct.sid, acct.authToken);
    assert.equal(await works(primary), true);
    const secondary = await rotateToken(server.stores.accounts, acct.sid);
    assert.ok(secondary && secondary !== acct.authToken);
    const second = clientOn(server, acct.sid, secondary);
    assert.equal(await works(second), true, 'both tokens work');
    assert.equal(await works(primary), true);

    assert.equal(await promoteToken(server.stores.accounts, acct.sid), true);
    assert.equal(await works(primary), false, 'the old primary, cached a moment ago, is refused');
    assert.equal(await works(second), true);
    assert.equal(await promoteToken(server.stores.accounts, acct.sid), false, 'nothing left to promote');
    await rejectsWith(clientOn(server, acct.sid, 'guess').verify.v2.services.list(), 401, 20003);
    assert.equal(clock.now().getTime(), START.getTime(), 'no time passed');
  },
  { start: START },
);

onEachBackend(
  'a deleted API key is refused at once; the account other keys keep working',
  async (_t, server, clock) => {
    const acct = await server.account();
    const [k1, k2] = [await createApiKey(server.stores.accounts, clock, acct.sid), await createApiKey(server.stores.accounts, clock, acct.sid)];
    const c1 = clientOn(server, k1.sid, k1.secret, acct.sid);
    const c2 = clientOn(server, k2.sid, k2.secret, acct.sid);
    assert.equal(await works(c1), true);
    assert.equal(await works(c2), true);
    assert.deepEqual((await server.stores.accounts.listApiKeys(acct.sid)).map((k) => k.sid).sort(), [k1.sid, k2.sid].sort());
    assert.equal(await server.stores.accounts.deleteApiKey(k1.sid), true);
    assert.equal(await works(c1), false, 'cached a moment ago, refused now');
    assert.equal(await works(c2), true);
    assert.equal(await works(acct.client), true);
  },
  { start: START },
);

onEachBackend(
  'webhooks are signed with the primary token: the promoted one from the promotion on',
  async (t, server) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url('/hook'));
    await api.verifications.create({ to: '+15017122661', channel: 'sms' });
    // Each start is delivered alone (the next is made after it arrived): the newest request carries it.
    const delivered = async (n: number) => (await receiver.waitForCount(n), receiver.requests.at(-1)!);
    const first = await delivered(1);
    assert.ok(signatureValid(acct.authToken, first), 'signed with the primary');

    const secondary = (await rotateToken(server.stores.accounts, acct.sid))!;
    await api.verifications.create({ to: '+15017122662', channel: 'sms' });
    const second = await delivered(2);
    assert.ok(signatureValid(acct.authToken, second), 'a secondary token does not sign');

    assert.equal(await promoteToken(server.stores.accounts, acct.sid), true);
    // The old token no longer works: the third start is made with the promoted one.
    await clientOn(server, acct.sid, secondary).verify.v2.services(svc.sid).verifications.create({ to: '+15017122663', channel: 'sms' });
    const third = await delivered(3);
    assert.ok(signatureValid(secondary, third), 'signed with the promoted token, though the old one was cached a moment ago');
    assert.ok(!signatureValid(acct.authToken, third));
  },
  { start: START, dispatcher: {} },
);

test('PostgreSQL: another node learns of a deleted key and a promoted token through the notification', async (t) => {
  const clock = new ManualClock(START);
  const a = await startServer('postgres', { clock });
  if ('skip' in a) return void t.skip(a.skip);
  const b = await a.sibling();
  try {
    const acct = await a.account();
    const key = await createApiKey(a.stores.accounts, clock, acct.sid);
    const keyOnB = clientOn(b, key.sid, key.secret, acct.sid);
    const tokenOnB = clientOn(b, acct.sid, acct.authToken);
    assert.equal(await works(keyOnB), true, 'verified by B and cached there');
    assert.equal(await works(tokenOnB), true);

    // Deleted through A's store (as `cli api-key delete` does through its own): B's cache still holds it.
    let heard = invalidationOf(b.credentialCache, acct.sid);
    assert.equal(await a.stores.accounts.deleteApiKey(key.sid), true);
    await heard;
    assert.equal(await works(keyOnB), false, 'B refuses the deleted key');
    assert.equal(await works(tokenOnB), true, "the account's token is unaffected");

    const secondary = (await rotateToken(a.stores.accounts, acct.sid))!;
    const secondOnB = clientOn(b, acct.sid, secondary);
    assert.equal(await works(secondOnB), true);
    assert.equal(await works(tokenOnB), true, 'both work before the promotion');
    heard = invalidationOf(b.credentialCache, acct.sid);
    assert.equal(await promoteToken(a.stores.accounts, acct.sid), true);
    await heard;
    assert.equal(await works(tokenOnB), false, 'B refuses the replaced primary');
    assert.equal(await works(secondOnB), true);
    assert.equal(clock.now().getTime(), START.getTime(), 'no time passed: the cache window did not expire');
  } finally {
    await b.close();
    await a.close();
  }
});

test('SQLite: another process on the file has no notifications; the cache window bounds a deleted key', async () => {
  const clock = new ManualClock(START);
  const a = await startServer('sqlite', { clock });
  assert.ok(!('skip' in a));
  const b = await a.sibling();
  try {
    const acct = await a.account();
    const key = await createApiKey(a.stores.accounts, clock, acct.sid);
    const keyOnB = clientOn(b, key.sid, key.secret, acct.sid);
    assert.equal(await works(keyOnB), true);
    assert.equal(await a.stores.accounts.deleteApiKey(key.sid), true);
    assert.equal(await works(keyOnB), true, 'still in B\u2019s cache: nothing told B');
    clock.advance(CREDENTIAL_CACHE_MS);
    assert.equal(await works(keyOnB), false, 'refused once the window ends');
  } finally {
    await b.close();
    await a.close();
  }
});
