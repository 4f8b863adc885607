/**
 * Sinks, subscriptions and subscribed events belong to one account: another account can neither
 * see nor touch them (404 as for an unknown SID, 400 when named as a parameter), an API key acts
 * for its own account, and the owner's rows stay as they were — on both backends.
 */
import assert from 'node:assert/strict';
import { hasError } from '../support/assertions.js';
import { onEachBackend, type Account } from '../support/server.js';

const PENDING = 'com.twilio.accountsecurity.verify.verification.pending';
const APPROVED = 'com.twilio.accountsecurity.verify.verification.approved';
const WEBHOOK = { destination: 'https://a.example.com/events', method: 'POST', batch_events: false };

async function seed(acct: Account, name: string) {
  const api = acct.client.events.v1;
  const sink = await api.sinks.create({ description: `${name} sink`, sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  const sub = await api.subscriptions.create({ description: `${name} sub`, sinkSid: sink.sid, types: [{ type: PENDING }] });
  return { sink, sub };
}

onEachBackend("another account cannot see or touch an account's sinks and subscriptions", async (t, server) => {
  const a = await server.account();
  const b = await server.account();
  const mine = await seed(a, 'A');
  const theirs = await seed(b, 'B');
  const fromB = b.client.events.v1;
  const snapshot = async () =>
    JSON.stringify({
      sink: (await a.client.events.v1.sinks(mine.sink.sid).fetch()).toJSON(),
      sub: (await a.client.events.v1.subscriptions(mine.sub.sid).fetch()).toJSON(),
      types: (await a.client.events.v1.subscriptions(mine.sub.sid).subscribedEvents.list()).map((e) => e.toJSON()),
    });
  const before = await snapshot();

  await t.test("lists show only the caller's own", async () => {
    assert.deepEqual((await fromB.sinks.list()).map((s) => s.sid), [theirs.sink.sid]);
    assert.deepEqual((await fromB.sinks.list({ inUse: true })).map((s) => s.sid), [theirs.sink.sid]);
    assert.deepEqual((await fromB.subscriptions.list()).map((s) => s.sid), [theirs.sub.sid]);
    assert.deepEqual(await fromB.subscriptions.list({ sinkSid: mine.sink.sid }), []);
    assert.deepEqual((await a.client.events.v1.sinks.list()).map((s) => s.sid), [mine.sink.sid]);
  });

  await t.test("the other account's sink is 404 on every sink route", async () => {
    const sink = fromB.sinks(mine.sink.sid);
    await assert.rejects(sink.fetch(), hasError(404, 20404));
    await assert.rejects(sink.update({ description: 'Hijacked' }), hasError(404, 20404));
    await assert.rejects(sink.sinkTest.create(), hasError(404, 20404));
    await assert.rejects(sink.sinkValidate.create({ testId: `TE${'0'.repeat(32)}` }), hasError(404, 20404));
    await assert.rejects(sink.remove(), hasError(404, 20404));
  });

  await t.test("a subscription cannot name the other account's sink", async () => {
    await assert.rejects(
      fromB.subscriptions.create({ description: 'Steal', sinkSid: mine.sink.sid, types: [{ type: PENDING }] }),
      hasError(400, 20001, (m) => assert.match(m, /SinkSid/)),
    );
    assert.deepEqual((await fromB.subscriptions.list()).map((s) => s.sid), [theirs.sub.sid]);
  });

  await t.test("the other account's subscription and its types are 404 on every route", async () => {
    const sub = fromB.subscriptions(mine.sub.sid);
    await assert.rejects(sub.fetch(), hasError(404, 20404));
    await assert.rejects(sub.update({ description: 'Hijacked' }), hasError(404, 20404));
    await assert.rejects(sub.subscribedEvents.list(), hasError(404, 20404));
    await assert.rejects(sub.subscribedEvents.create({ type: APPROVED }), hasError(404, 20404));
    await assert.rejects(sub.subscribedEvents(PENDING).fetch(), hasError(404, 20404));
    await assert.rejects(sub.subscribedEvents(PENDING).update({ schemaVersion: 2 }), hasError(404, 20404));
    await assert.rejects(sub.subscribedEvents(PENDING).remove(), hasError(404, 20404));
    await assert.rejects(sub.remove(), hasError(404, 20404));
  });

  await t.test("a PageToken from the other account's row shows nothing of it", async () => {
    const token = 'PA' + Buffer.from(`0:${mine.sink.sid}`).toString('base64url');
    const page = await fromB.sinks.page({ pageSize: 50, pageToken: token });
    assert.deepEqual(page.instances.map((s) => s.sid), [theirs.sink.sid]);
  });

  await t.test("the owner's rows are untouched", async () => {
    assert.equal(await snapshot(), before);
  });
});

onEachBackend('an API key acts for its own account only', async (_t, server) => {
  const a = await server.account();
  const b = await server.account();
  const mine = await seed(a, 'A');
  const theirs = await seed(b, 'B');
  const key = (await server.apiKeyClient(a.sid)).events.v1;
  assert.deepEqual((await key.sinks.list()).map((s) => s.sid), [mine.sink.sid]);
  assert.deepEqual((await key.subscriptions.list()).map((s) => s.sid), [mine.sub.sid]);
  const made = await key.sinks.create({ description: 'By key', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  assert.deepEqual((await a.client.events.v1.sinks.list()).map((s) => s.sid), [mine.sink.sid, made.sid]);
  await assert.rejects(key.sinks(theirs.sink.sid).fetch(), hasError(404, 20404));
  await assert.rejects(key.subscriptions(theirs.sub.sid).fetch(), hasError(404, 20404));
});

onEachBackend('malformed subscription SIDs in the path are 404', async (_t, server) => {
  const acct = await server.account();
  const type = PENDING;
  for (const sid of ['DF1', `DG${'a'.repeat(32)}`, `DF${'g'.repeat(32)}`]) {
    for (const [method, path] of [
      ['GET', `/v1/Subscriptions/${sid}`],
      ['POST', `/v1/Subscriptions/${sid}`],
      ['DELETE', `/v1/Subscriptions/${sid}`],
      ['GET', `/v1/Subscriptions/${sid}/SubscribedEvents`],
      ['POST', `/v1/Subscriptions/${sid}/SubscribedEvents`],
      ['GET', `/v1/Subscriptions/${sid}/SubscribedEvents/${type}`],
      ['POST', `/v1/Subscriptions/${sid}/SubscribedEvents/${type}`],
      ['DELETE', `/v1/Subscriptions/${sid}/SubscribedEvents/${type}`],
    ] as const) {
      const res = await server.fetch(path, {
        method,
        auth: { user: acct.sid, pass: acct.authToken },
        ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `Description=x&Type=${type}` } : {}),
      });
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(body.code, 20404);
      assert.equal(body.message, `The requested resource ${path.slice(3)} was not found`);
    }
  }
});
