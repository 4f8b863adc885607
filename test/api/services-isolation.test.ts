/**
 * Services belong to one account: another account sees none of them, an API key sees its own
 * account's, and bad credentials are a 401 20003 — on both backends.
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { hasError } from '../support/assertions.js';
import { LocalRequestClient, onEachBackend } from '../support/server.js';

onEachBackend('another account cannot reach a service', async (t, server) => {
  const a = await server.account();
  const b = await server.account();
  const mine = await a.client.verify.v2.services.create({ friendlyName: 'Account A', codeLength: 7 });
  const theirs = await b.client.verify.v2.services.create({ friendlyName: 'Account B' });
  const fromB = b.client.verify.v2.services(mine.sid);

  await t.test('fetch, update and delete are 404 20404', async () => {
    await assert.rejects(fromB.fetch(), hasError(404, 20404));
    await assert.rejects(fromB.update({ friendlyName: 'Hijacked', codeLength: 4 }), hasError(404, 20404));
    await assert.rejects(fromB.remove(), hasError(404, 20404));
    await assert.rejects(fromB.verifications.create({ to: '+15017122661', channel: 'sms' }), hasError(404, 20404));
  });

  await t.test('list shows only the own services', async () => {
    assert.deepEqual((await b.client.verify.v2.services.list()).map((s) => s.sid), [theirs.sid]);
    assert.deepEqual((await a.client.verify.v2.services.list()).map((s) => s.sid), [mine.sid]);
  });

  await t.test("a PageToken built from the other account's service shows nothing of it", async () => {
    const page = await a.client.verify.v2.services.page({ pageSize: 1 });
    assert.equal(page.nextPageUrl, undefined);
    // Walk B's list from A's service cursor: B still sees only its own rows.
    const token = 'PA' + Buffer.from(`0:${mine.sid}`).toString('base64url');
    const fromToken = await b.client.verify.v2.services.page({ pageSize: 50, pageToken: token });
    assert.deepEqual(fromToken.instances.map((s) => s.sid), [theirs.sid]);
  });

  await t.test("the service is untouched by the other account's attempts", async () => {
    const s = await a.client.verify.v2.services(mine.sid).fetch();
    assert.equal(s.friendlyName, 'Account A');
    assert.equal(s.codeLength, 7);
    assert.deepEqual(s.dateUpdated, mine.dateUpdated);
  });
});

onEachBackend('API keys', async (t, server) => {
  const a = await server.account();
  const b = await server.account();
  const mine = await a.client.verify.v2.services.create({ friendlyName: 'Keyed' });
  const theirs = await b.client.verify.v2.services.create({ friendlyName: 'Other' });
  const keyClient = await server.apiKeyClient(a.sid);

  await t.test("an API key client sees and manages its account's services", async () => {
    assert.deepEqual((await keyClient.verify.v2.services.list()).map((s) => s.sid), [mine.sid]);
    assert.equal((await keyClient.verify.v2.services(mine.sid).fetch()).friendlyName, 'Keyed');
    const created = await keyClient.verify.v2.services.create({ friendlyName: 'Made By Key' });
    assert.equal(created.accountSid, a.sid);
    const updated = await keyClient.verify.v2.services(created.sid).update({ codeLength: 9 });
    assert.equal(updated.codeLength, 9);
    assert.deepEqual((await a.client.verify.v2.services.list()).map((s) => s.sid), [mine.sid, created.sid]);
    assert.equal(await keyClient.verify.v2.services(created.sid).remove(), true);
  });

  await t.test("an API key cannot reach another account's services", async () => {
    await assert.rejects(keyClient.verify.v2.services(theirs.sid).fetch(), hasError(404, 20404));
    // The account SID given to the SDK does not matter: the key decides the account.
    const spoof = twilio(keyClient.username, keyClient.password, { accountSid: b.sid, httpClient: new LocalRequestClient(server.baseUrl), autoRetry: false });
    assert.deepEqual((await spoof.verify.v2.services.list()).map((s) => s.sid), [mine.sid]);
    await assert.rejects(spoof.verify.v2.services(theirs.sid).fetch(), hasError(404, 20404));
  });

  await t.test('a wrong API key secret is 401 20003', async () => {
    const wrong = twilio(keyClient.username, `${keyClient.password}x`, { accountSid: a.sid, httpClient: new LocalRequestClient(server.baseUrl), autoRetry: false });
    await assert.rejects(wrong.verify.v2.services.list(), hasError(401, 20003));
    await assert.rejects(wrong.verify.v2.services.create({ friendlyName: 'Nope' }), hasError(401, 20003));
    await assert.rejects(wrong.verify.v2.services(mine.sid).fetch(), hasError(401, 20003));
    await assert.rejects(wrong.verify.v2.services(mine.sid).remove(), hasError(401, 20003));
    assert.deepEqual((await a.client.verify.v2.services.list()).map((s) => s.sid), [mine.sid]);
  });
});

onEachBackend('bad credentials', async (t, server) => {
  const a = await server.account();
  const expected = { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 };

  await t.test('a wrong auth token through the SDK', async () => {
    const wrong = twilio(a.sid, 'f'.repeat(32), { httpClient: new LocalRequestClient(server.baseUrl), autoRetry: false });
    await assert.rejects(wrong.verify.v2.services.list(), hasError(401, 20003));
    await assert.rejects(wrong.verify.v2.services.create({ friendlyName: 'Nope' }), hasError(401, 20003));
  });

  await t.test('raw: no credentials, an unknown account, an unknown key', async () => {
    const attempts: Array<{ user: string; pass: string } | null> = [
      null,
      { user: 'AC' + '0'.repeat(32), pass: a.authToken },
      { user: 'SK' + '0'.repeat(32), pass: 'secret' },
      { user: a.sid, pass: '' },
    ];
    for (const auth of attempts) {
      const res = await server.fetch('/v2/Services', { auth });
      assert.equal(res.status, 401, JSON.stringify(auth));
      assert.match(res.headers.get('www-authenticate') ?? '', /^Basic /);
      assert.deepEqual(await res.json(), expected);
    }
    const post = await server.fetch('/v2/Services', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'FriendlyName=Sneaky',
    });
    assert.equal(post.status, 401);
    assert.deepEqual(await a.client.verify.v2.services.list(), []);
  });
});
