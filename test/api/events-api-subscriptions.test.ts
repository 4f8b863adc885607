/**
 * Event Streams subscriptions and their subscribed events through the official twilio SDK
 * (client.events.v1.subscriptions, .subscriptions(sid).subscribedEvents), on both backends: shapes
 * as in Twilio's examples, every validation error (400 20001, nothing stored), the SinkSid filter,
 * paging, and raw HTTP for what the SDK hides (201 vs 200, the repeated Types field).
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import { hasError } from '../support/assertions.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

const START = new Date('2024-03-01T12:00:00.000Z');
const CLOCK = { start: START };
const P = 'com.twilio.accountsecurity.verify.verification.';
const TYPES = ['approved', 'canceled', 'expired', 'max-attempts-reached', 'pending'].map((s) => P + s);
const [APPROVED, CANCELED, EXPIRED, MAX_ATTEMPTS, PENDING] = TYPES as [string, string, string, string, string];
const WEBHOOK = { destination: 'https://hooks.example.com/events', method: 'POST', batch_events: true };

const SUBSCRIPTION_KEYS = ['account_sid', 'date_created', 'date_updated', 'description', 'links', 'sid', 'sink_sid', 'url'];
const SUBSCRIBED_EVENT_KEYS = ['account_sid', 'schema_version', 'subscription_sid', 'type', 'url'];

const auth = (acct: Account) => ({ user: acct.sid, pass: acct.authToken });

async function raw(server: TestServer, acct: Account, method: string, path: string, body?: string | Record<string, string>) {
  const res = await server.fetch(path, {
    method,
    auth: auth(acct),
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' ? body : new URLSearchParams(body), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

function assertInvalid(res: { status: number; body: Record<string, any> }, parts: string[], what: string) {
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'more_info', 'status'], what);
  assert.equal(res.body.code, 20001, what);
  for (const part of parts) assert.ok(String(res.body.message).includes(part), `${what}: ${JSON.stringify(res.body.message)} should contain ${part}`);
}

async function newSink(acct: Account, description = 'Sink') {
  return acct.client.events.v1.sinks.create({ description, sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
}

onEachBackend('create, fetch, update, delete a subscription', async (t, server, clock) => {
  const acct = await server.account();
  const api = acct.client.events.v1;
  const sink = await newSink(acct);
  const res = await api.subscriptions.createWithHttpInfo({
    description: 'A subscription',
    sinkSid: sink.sid,
    types: [{ type: APPROVED, schema_version: 2 }, { type: PENDING }],
  });
  assert.equal(res.statusCode, 201);
  const sub = res.body;
  const url = `${server.baseUrl}/v1/Subscriptions/${sub.sid}`;

  await t.test('the SDK resource and the raw JSON', async () => {
    assert.match(sub.sid, /^DF[0-9a-f]{32}$/);
    assert.equal(sub.accountSid, acct.sid);
    assert.equal(sub.sinkSid, sink.sid);
    assert.equal(sub.description, 'A subscription');
    assert.deepEqual(sub.dateCreated, START);
    assert.equal(sub.url, url);
    const { status, body } = await raw(server, acct, 'GET', `/v1/Subscriptions/${sub.sid}`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), SUBSCRIPTION_KEYS);
    assert.deepEqual(body, {
      account_sid: acct.sid,
      date_created: '2024-03-01T12:00:00Z',
      date_updated: '2024-03-01T12:00:00Z',
      sid: sub.sid,
      sink_sid: sink.sid,
      description: 'A subscription',
      url,
      links: { subscribed_events: `${url}/SubscribedEvents` },
    });
    assert.deepEqual((await api.subscriptions(sub.sid).fetch()).toJSON(), sub.toJSON());
  });

  await t.test('its types were stored with it; schema_version defaults to 2', async () => {
    const types = await api.subscriptions(sub.sid).subscribedEvents.list();
    assert.deepEqual(types.map((e) => [e.type, e.schemaVersion, e.subscriptionSid, e.accountSid]), [
      [APPROVED, 2, sub.sid, acct.sid],
      [PENDING, 2, sub.sid, acct.sid],
    ]);
  });

  await t.test('update changes the description; without one nothing changes', async () => {
    clock.advance(93_000);
    const updated = await api.subscriptions(sub.sid).updateWithHttpInfo({ description: 'Updated description' });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.body.description, 'Updated description');
    assert.deepEqual(updated.body.dateUpdated, clock.now());
    assert.deepEqual(updated.body.dateCreated, START);
    clock.advance(1000);
    const same = await api.subscriptions(sub.sid).update({});
    assert.deepEqual(same.toJSON(), updated.body.toJSON());
    assertInvalid(await raw(server, acct, 'POST', `/v1/Subscriptions/${sub.sid}`, { Description: ' ' }), ['Description'], 'blank');
    assert.equal((await api.subscriptions(sub.sid).fetch()).description, 'Updated description');
  });

  await t.test('delete is 204 and takes the types with it', async () => {
    const { status, body } = await raw(server, acct, 'DELETE', `/v1/Subscriptions/${sub.sid}`);
    assert.equal(status, 204);
    assert.equal(body, null);
    await assert.rejects(api.subscriptions(sub.sid).fetch(), hasError(404, 20404, (m) => assert.equal(m, `The requested resource /Subscriptions/${sub.sid} was not found`)));
    await assert.rejects(api.subscriptions(sub.sid).remove(), hasError(404, 20404));
    await assert.rejects(api.subscriptions(sub.sid).subscribedEvents(APPROVED).fetch(), hasError(404, 20404));
    await assert.rejects(api.subscriptions(sub.sid).update({ description: 'x' }), hasError(404, 20404));
    const another = await api.subscriptions.create({ description: 'B', sinkSid: sink.sid, types: [{ type: PENDING }] });
    assert.equal(await api.subscriptions(another.sid).remove(), true);
    assert.deepEqual(await api.subscriptions.list(), []);
    // The sink stays.
    assert.equal((await api.sinks(sink.sid).fetch()).sid, sink.sid);
  });
}, CLOCK);

onEachBackend('Types arrives as a repeated form field (raw HTTP)', async (_t, server) => {
  const acct = await server.account();
  const sink = await newSink(acct);
  const types = [{ type: EXPIRED, schema_version: 2 }, { type: CANCELED }, { type: MAX_ATTEMPTS, schema_version: '2' }];
  const body = [`Description=Raw`, `SinkSid=${sink.sid}`, ...types.map((t) => `Types=${encodeURIComponent(JSON.stringify(t))}`)].join('&');
  const res = await raw(server, acct, 'POST', '/v1/Subscriptions', body);
  assert.equal(res.status, 201);
  const list = await raw(server, acct, 'GET', `/v1/Subscriptions/${res.body.sid}/SubscribedEvents`);
  assert.deepEqual(list.body.types.map((e: { type: string; schema_version: number }) => [e.type, e.schema_version]), [
    [CANCELED, 2],
    [EXPIRED, 2],
    [MAX_ATTEMPTS, 2],
  ]);
  // One value is one type too.
  const single = await raw(server, acct, 'POST', '/v1/Subscriptions', { Description: 'One', SinkSid: sink.sid, Types: JSON.stringify({ type: PENDING }) });
  assert.equal(single.status, 201);
});

/** [title, form fields over a valid create, what the message must contain] */
type Case = [string, Record<string, string | string[] | undefined>, string[]];
const t1 = (v: unknown) => JSON.stringify(v);

onEachBackend('create rejects every bad parameter with 400 20001 and stores nothing', async (t, server, clock) => {
  const acct = await server.account();
  const other = await server.account();
  const api = acct.client.events.v1;
  const sink = await newSink(acct);
  const theirSink = await newSink(other);
  const now = clock.now().getTime();
  const failed = { sid: newSid('DG'), accountSid: acct.sid, description: 'Failed', sinkType: 'webhook' as const, config: { ...WEBHOOK, method: 'POST' as const }, status: 'failed' as const, dateCreated: now, dateUpdated: now };
  await server.stores.sinks.insertSink(failed);

  const cases: Case[] = [
    ['Description missing', { Description: undefined }, ['Missing required parameter Description']],
    ['Description blank', { Description: '  ' }, ['Description']],
    ['SinkSid missing', { SinkSid: undefined }, ['Missing required parameter SinkSid']],
    ['SinkSid malformed', { SinkSid: 'DG123' }, ['SinkSid']],
    ['SinkSid of a subscription', { SinkSid: `DF${'a'.repeat(32)}` }, ['SinkSid']],
    ['SinkSid unknown', { SinkSid: `DG${'0'.repeat(32)}` }, ['SinkSid', 'no sink']],
    ["SinkSid of another account's sink", { SinkSid: theirSink.sid }, ['SinkSid', 'no sink']],
    ['SinkSid of a sink that is not active', { SinkSid: failed.sid }, ['SinkSid', 'active', 'failed']],
    ['Types missing', { Types: undefined }, ['Missing required parameter Types']],
    ['Types empty', { Types: '' }, ['Types']],
    ['Types not JSON', { Types: PENDING }, ['Types', 'JSON object']],
    ['Types a JSON array', { Types: t1([{ type: PENDING }]) }, ['Types', 'JSON object']],
    ['Types a JSON string', { Types: t1(PENDING) }, ['Types']],
    ['Types without type', { Types: t1({ schema_version: 2 }) }, ['Types', '"type"']],
    ['Types with a numeric type', { Types: t1({ type: 5 }) }, ['Types', '"type"']],
    ['Types with an unknown type', { Types: t1({ type: 'com.twilio.messaging.message.delivered' }) }, ['Types', 'com.twilio.messaging.message.delivered', PENDING]],
    ['Types with the test event type', { Types: t1({ type: 'com.twilio.eventstreams.test-event' }) }, ['Types', 'test-event']],
    ['Types with schema_version 1', { Types: t1({ type: PENDING, schema_version: 1 }) }, ['Types', PENDING, 'schema version 1']],
    ['Types with schema_version 3', { Types: t1({ type: PENDING, schema_version: 3 }) }, ['Types', 'schema version 3']],
    ['Types with schema_version 2.5', { Types: t1({ type: PENDING, schema_version: 2.5 }) }, ['Types', 'schema_version', 'integer']],
    ['Types with schema_version "two"', { Types: t1({ type: PENDING, schema_version: 'two' }) }, ['Types', 'schema_version']],
    ['Types with an unknown key', { Types: t1({ type: PENDING, filter: 'x' }) }, ['Types', '"filter"']],
    ['Types with one good and one bad value', { Types: [t1({ type: PENDING }), t1({ type: 'nope' })] }, ['Types', 'nope']],
    ['Types with a type twice', { Types: [t1({ type: PENDING }), t1({ type: APPROVED }), t1({ type: PENDING, schema_version: 2 })] }, ['Types', PENDING, 'more than once']],
  ];

  for (const [title, overrides, parts] of cases) {
    await t.test(title, async () => {
      const fields: Record<string, string | string[] | undefined> = { Description: 'D', SinkSid: sink.sid, Types: t1({ type: PENDING }), ...overrides };
      const form = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const one of v === undefined ? [] : Array.isArray(v) ? v : [v]) form.append(k, one);
      assertInvalid(await raw(server, acct, 'POST', '/v1/Subscriptions', form.toString()), parts, title);
      if (fields.Description !== undefined && fields.SinkSid !== undefined && fields.Types !== undefined) {
        const types = (Array.isArray(fields.Types) ? fields.Types : [fields.Types]) as string[];
        const params = { description: fields.Description, sinkSid: fields.SinkSid, types } as never;
        await assert.rejects(api.subscriptions.create(params), hasError(400, 20001));
      }
    });
  }

  await t.test('nothing was stored', async () => {
    assert.deepEqual(await api.subscriptions.list(), []);
    assert.deepEqual(await other.client.events.v1.subscriptions.list(), []);
    assert.deepEqual((await api.sinks.list({ inUse: true })).map((s) => s.sid), []);
  });
}, CLOCK);

onEachBackend('list: SinkSid filter and paging', async (t, server, clock) => {
  const acct = await server.account();
  const api = acct.client.events.v1;
  const [a, b] = [await newSink(acct, 'A'), await newSink(acct, 'B')];
  const subs: Array<{ sid: string; sink: string }> = [];
  for (let i = 0; i < 7; i++) {
    clock.advance(1000);
    const sink = i % 3 === 0 ? b.sid : a.sid;
    subs.push({ sid: (await api.subscriptions.create({ description: `S${i}`, sinkSid: sink, types: [{ type: PENDING }] })).sid, sink });
  }
  const all = subs.map((s) => s.sid);

  await t.test('list(), each() and page() walk every page', async () => {
    assert.deepEqual((await api.subscriptions.list({ pageSize: 2 })).map((s) => s.sid), all);
    const seen: string[] = [];
    await api.subscriptions.each({ pageSize: 3 }, (s) => void seen.push(s.sid));
    assert.deepEqual(seen, all);
    const page = await api.subscriptions.page({ pageSize: 5 });
    assert.equal(page.instances.length, 5);
    const next = await page.nextPage();
    assert.deepEqual(next?.instances.map((s: { sid: string }) => s.sid), all.slice(5));
  });

  await t.test('SinkSid filters, also across pages', async () => {
    const ofB = subs.filter((s) => s.sink === b.sid).map((s) => s.sid);
    assert.deepEqual((await api.subscriptions.list({ sinkSid: b.sid })).map((s) => s.sid), ofB);
    assert.deepEqual((await api.subscriptions.list({ sinkSid: a.sid, pageSize: 2 })).map((s) => s.sid), subs.filter((s) => s.sink === a.sid).map((s) => s.sid));
    assert.deepEqual(await api.subscriptions.list({ sinkSid: `DG${'0'.repeat(32)}` }), []);
    const { body } = await raw(server, acct, 'GET', `/v1/Subscriptions?SinkSid=${b.sid}&PageSize=1`);
    assert.equal(body.meta.key, 'subscriptions');
    assert.deepEqual(Object.keys(body.subscriptions[0]).sort(), SUBSCRIPTION_KEYS);
    assert.match(body.meta.next_page_url, new RegExp(`^${server.baseUrl}/v1/Subscriptions\\?SinkSid=${b.sid}&PageSize=1&Page=1&PageToken=PA`));
  });

  await t.test('a malformed SinkSid filter is 400 20001', async () => {
    assertInvalid(await raw(server, acct, 'GET', '/v1/Subscriptions?SinkSid=DG1'), ['SinkSid'], 'SinkSid');
    assertInvalid(await raw(server, acct, 'GET', '/v1/Subscriptions?PageSize=0'), ['PageSize'], 'PageSize');
  });
}, CLOCK);

onEachBackend('subscribed events: create (201/200), list, fetch, update, delete', async (t, server) => {
  const acct = await server.account();
  const api = acct.client.events.v1;
  const sink = await newSink(acct);
  const sub = await api.subscriptions.create({ description: 'S', sinkSid: sink.sid, types: [{ type: PENDING }] });
  const events = api.subscriptions(sub.sid).subscribedEvents;
  const base = `/v1/Subscriptions/${sub.sid}/SubscribedEvents`;

  await t.test('a new type is 201, the example shape', async () => {
    const res = await events.createWithHttpInfo({ type: APPROVED });
    assert.equal(res.statusCode, 201);
    assert.equal(res.body.schemaVersion, 2);
    const { status, body } = await raw(server, acct, 'GET', `${base}/${APPROVED}`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), SUBSCRIBED_EVENT_KEYS);
    assert.deepEqual(body, {
      account_sid: acct.sid,
      subscription_sid: sub.sid,
      type: APPROVED,
      schema_version: 2,
      url: `${server.baseUrl}${base}/${APPROVED}`,
    });
  });

  await t.test('a type the subscription has is 200 (raw and SDK)', async () => {
    const again = await raw(server, acct, 'POST', base, { Type: APPROVED, SchemaVersion: '2' });
    assert.equal(again.status, 200);
    assert.equal(again.body.type, APPROVED);
    const res = await events.createWithHttpInfo({ type: PENDING, schemaVersion: 2 });
    assert.equal(res.statusCode, 200);
    const fresh = await raw(server, acct, 'POST', base, { Type: EXPIRED });
    assert.equal(fresh.status, 201);
  });

  await t.test('bad Type or SchemaVersion is 400 20001 and stores nothing', async () => {
    const bad: Array<[Record<string, string>, string[]]> = [
      [{}, ['Missing required parameter Type']],
      [{ Type: '' }, ['Type']],
      [{ Type: 'com.twilio.messaging.message.delivered' }, ['Type', 'unknown event type']],
      [{ Type: CANCELED, SchemaVersion: '3' }, ['SchemaVersion', 'schema version 3']],
      [{ Type: CANCELED, SchemaVersion: '1' }, ['SchemaVersion']],
      [{ Type: CANCELED, SchemaVersion: 'two' }, ['SchemaVersion']],
      [{ Type: CANCELED, SchemaVersion: '2.0' }, ['SchemaVersion']],
    ];
    for (const [form, parts] of bad) assertInvalid(await raw(server, acct, 'POST', base, form), parts, JSON.stringify(form));
    await assert.rejects(events.create({ type: CANCELED, schemaVersion: 7 }), hasError(400, 20001));
    assert.deepEqual((await events.list()).map((e) => e.type), [APPROVED, EXPIRED, PENDING]);
  });

  await t.test('fetch, update and delete one type', async () => {
    const fetched = await events(PENDING).fetch();
    assert.equal(fetched.type, PENDING);
    assert.equal(fetched.subscriptionSid, sub.sid);
    const updated = await events(PENDING).updateWithHttpInfo({ schemaVersion: 2 });
    assert.equal(updated.statusCode, 200);
    assert.equal(updated.body.schemaVersion, 2);
    assert.deepEqual((await events(PENDING).update({})).toJSON(), fetched.toJSON());
    await assert.rejects(events(PENDING).update({ schemaVersion: 9 }), hasError(400, 20001, (m) => assert.match(m, /SchemaVersion/)));
    const del = await raw(server, acct, 'DELETE', `${base}/${EXPIRED}`);
    assert.equal(del.status, 204);
    await assert.rejects(events(EXPIRED).fetch(), hasError(404, 20404, (m) => assert.equal(m, `The requested resource /Subscriptions/${sub.sid}/SubscribedEvents/${EXPIRED} was not found`)));
    await assert.rejects(events(EXPIRED).remove(), hasError(404, 20404));
    await assert.rejects(events(EXPIRED).update({ schemaVersion: 2 }), hasError(404, 20404));
    await assert.rejects(events('not.a.type').fetch(), hasError(404, 20404));
    assert.equal(await events(APPROVED).remove(), true);
    assert.deepEqual((await events.list()).map((e) => e.type), [PENDING]);
  });

  await t.test('an unknown subscription is 404 on every route', async () => {
    const gone = api.subscriptions(`DF${'0'.repeat(32)}`).subscribedEvents;
    await assert.rejects(gone.list(), hasError(404, 20404, (m) => assert.match(m, /\/Subscriptions\/DF0+\/SubscribedEvents was not found/)));
    await assert.rejects(gone.create({ type: PENDING }), hasError(404, 20404));
    await assert.rejects(gone(PENDING).fetch(), hasError(404, 20404));
    await assert.rejects(gone(PENDING).update({ schemaVersion: 2 }), hasError(404, 20404));
    await assert.rejects(gone(PENDING).remove(), hasError(404, 20404));
  });
});

onEachBackend('subscribed events: list key types, ordered by type, paged', async (t, server) => {
  const acct = await server.account();
  const api = acct.client.events.v1;
  const sink = await newSink(acct);
  // Given out of order: the list is ordered by type.
  const sub = await api.subscriptions.create({ description: 'All', sinkSid: sink.sid, types: [...TYPES].reverse().map((type) => ({ type })) });
  const events = api.subscriptions(sub.sid).subscribedEvents;
  const path = `/v1/Subscriptions/${sub.sid}/SubscribedEvents`;

  await t.test('the envelope', async () => {
    const { status, body } = await raw(server, acct, 'GET', `${path}?PageSize=50`);
    assert.equal(status, 200);
    const first = `${server.baseUrl}${path}?PageSize=50&Page=0`;
    assert.deepEqual(body.meta, { page: 0, page_size: 50, first_page_url: first, previous_page_url: null, url: first, next_page_url: null, key: 'types' });
    assert.deepEqual(body.types.map((e: { type: string }) => e.type), TYPES);
    for (const e of body.types) assert.deepEqual(Object.keys(e).sort(), SUBSCRIBED_EVENT_KEYS);
  });

  await t.test('list(), each() and page() walk every page', async () => {
    assert.deepEqual((await events.list({ pageSize: 2 })).map((e) => e.type), TYPES);
    const seen: string[] = [];
    await events.each({ pageSize: 3 }, (e) => void seen.push(e.type));
    assert.deepEqual(seen, TYPES);
    const sizes: number[] = [];
    type Pg = { instances: Array<{ type: string }>; nextPage(): Promise<Pg> | undefined };
    for (let pg: Pg | undefined = (await events.page({ pageSize: 2 })) as unknown as Pg; pg; pg = await pg.nextPage()) sizes.push(pg.instances.length);
    assert.deepEqual(sizes, [2, 2, 1]);
  });

  await t.test('the PageToken carries the last type; Page alone pages by offset', async () => {
    const p0 = await raw(server, acct, 'GET', `${path}?PageSize=2`);
    const next = String(p0.body.meta.next_page_url);
    assert.match(next, /&Page=1&PageToken=PT[A-Za-z0-9_-]+$/);
    const token = next.split('PageToken=')[1]!;
    assert.equal(Buffer.from(token.slice(2), 'base64url').toString(), TYPES[1]);
    const p1 = await raw(server, acct, 'GET', next.slice(server.baseUrl.length));
    assert.deepEqual(p1.body.types.map((e: { type: string }) => e.type), TYPES.slice(2, 4));
    assert.equal(p1.body.meta.url, next);
    assert.equal(p1.body.meta.previous_page_url, `${server.baseUrl}${path}?PageSize=2&Page=0`);
    const byOffset = await raw(server, acct, 'GET', `${path}?PageSize=2&Page=2`);
    assert.deepEqual(byOffset.body.types.map((e: { type: string }) => e.type), TYPES.slice(4));
    for (const bad of ['PageToken=PAxyz', 'PageToken=PT', `PageToken=PT${Buffer.from('a b').toString('base64url')}`, 'PageSize=1001']) {
      assertInvalid(await raw(server, acct, 'GET', `${path}?${bad}`), [bad.split('=')[0]!], bad);
    }
  });
});
