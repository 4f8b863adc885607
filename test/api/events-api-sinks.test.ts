/**
 * Event Streams sinks through the official twilio SDK (client.events.v1.sinks), on both backends:
 * create/fetch/update/delete with the exact JSON shape of Twilio's examples, the InUse and Status
 * filters, paging, Test -> Validate, and what a sink's deletion takes with it. Raw HTTP only to see
 * the JSON itself.
 */
import assert from 'node:assert/strict';
import type { OutboxEvent, Sink } from '../../src/domain/events/types.js';
import { newSid } from '../../src/domain/ids.js';
import { hasError } from '../support/assertions.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

const START = new Date('2024-03-01T12:00:00.000Z');
const CLOCK = { start: START };
const PENDING = 'com.twilio.accountsecurity.verify.verification.pending';

const WEBHOOK = { destination: 'https://hooks.example.com/events', method: 'POST', batch_events: false };
const KINESIS = {
  arn: 'arn:aws:kinesis:us-east-1:111111111111:stream/test',
  role_arn: 'arn:aws:iam::111111111111:role/Role',
  external_id: '1234567890',
};
/** The keys of a sink in Twilio's examples (GET /v1/Sinks/{Sid} -> 200). */
const SINK_KEYS = ['date_created', 'date_updated', 'description', 'links', 'sid', 'sink_configuration', 'sink_type', 'status', 'url'];

const isoSeconds = (d: Date) => d.toISOString().replace('.000Z', 'Z');

async function raw(server: TestServer, acct: Account, method: string, path: string, form?: Record<string, string>) {
  const res = await server.fetch(path, {
    method,
    auth: { user: acct.sid, pass: acct.authToken },
    ...(form ? { body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

/** Captures the events the API enqueues (the only way to learn a test event's test_id without a receiver). */
function captureEnqueued(server: TestServer): OutboxEvent[] {
  const seen: OutboxEvent[] = [];
  const original = server.stores.outbox.enqueueEvent.bind(server.stores.outbox);
  server.stores.outbox.enqueueEvent = async (event, sinks) => {
    await original(event, sinks);
    seen.push(event);
  };
  return seen;
}

onEachBackend('create a webhook sink: 201, active, the example shape', async (t, server) => {
  const acct = await server.account();
  const res = await acct.client.events.v1.sinks.createWithHttpInfo({ description: 'My webhook', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  assert.equal(res.statusCode, 201);
  const s = res.body;

  await t.test('in the SDK resource', () => {
    assert.match(s.sid, /^DG[0-9a-f]{32}$/);
    assert.equal(s.description, 'My webhook');
    assert.equal(s.sinkType, 'webhook');
    assert.equal(s.status, 'active');
    assert.deepEqual(s.sinkConfiguration, WEBHOOK);
    assert.deepEqual(s.dateCreated, START);
    assert.deepEqual(s.dateUpdated, START);
    assert.equal(s.url, `${server.baseUrl}/v1/Sinks/${s.sid}`);
  });

  await t.test('in the raw JSON', async () => {
    const { status, body, headers } = await raw(server, acct, 'GET', `/v1/Sinks/${s.sid}`);
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /^application\/json/);
    // No Origin (the SDK's case): no CORS headers (test/api/cross-site.test.ts).
    assert.equal(headers.get('access-control-allow-origin'), null);
    assert.deepEqual(Object.keys(body).sort(), SINK_KEYS);
    const url = `${server.baseUrl}/v1/Sinks/${s.sid}`;
    assert.deepEqual(body, {
      status: 'active',
      sink_configuration: WEBHOOK,
      description: 'My webhook',
      sid: s.sid,
      date_created: '2024-03-01T12:00:00Z',
      sink_type: 'webhook',
      date_updated: '2024-03-01T12:00:00Z',
      url,
      links: { sink_test: `${url}/Test`, sink_validate: `${url}/Validate` },
    });
  });

  await t.test('method and batch_events take their defaults and are normalised', async () => {
    const bare = await acct.client.events.v1.sinks.create({ description: 'Bare', sinkConfiguration: { destination: 'http://127.0.0.1:9/h' }, sinkType: 'webhook' });
    assert.deepEqual(bare.sinkConfiguration, { destination: 'http://127.0.0.1:9/h', method: 'POST', batch_events: false });
    const lower = await acct.client.events.v1.sinks.create({
      description: 'Lower',
      sinkConfiguration: { destination: 'https://user:p%40ss@hooks.example.com:8443/x?y=1', method: 'post', batch_events: 'TRUE' },
      sinkType: 'webhook',
    });
    assert.deepEqual(lower.sinkConfiguration, { destination: 'https://user:p%40ss@hooks.example.com:8443/x?y=1', method: 'POST', batch_events: true });
    const batched = await acct.client.events.v1.sinks.create({ description: 'Batched', sinkConfiguration: { ...WEBHOOK, batch_events: true }, sinkType: 'webhook' });
    assert.equal(batched.sinkConfiguration.batch_events, true);
  });
}, CLOCK);

onEachBackend('create a kinesis sink', async (_t, server) => {
  const acct = await server.account();
  const s = await acct.client.events.v1.sinks.create({ description: 'My Kinesis Sink', sinkConfiguration: KINESIS, sinkType: 'kinesis' });
  assert.equal(s.sinkType, 'kinesis');
  assert.equal(s.status, 'active');
  assert.deepEqual(s.sinkConfiguration, KINESIS);
  const { body } = await raw(server, acct, 'GET', `/v1/Sinks/${s.sid}`);
  assert.deepEqual(Object.keys(body).sort(), SINK_KEYS);
  assert.deepEqual(body.sink_configuration, KINESIS);
  const withPath = await acct.client.events.v1.sinks.create({
    description: 'Role path',
    sinkConfiguration: { arn: 'arn:aws:kinesis:eu-central-1:222222222222:stream/verify.events-1', role_arn: 'arn:aws:iam::222222222222:role/service/EventStreams', external_id: 'team-b:events' },
    sinkType: 'kinesis',
  });
  assert.equal(withPath.sinkConfiguration.role_arn, 'arn:aws:iam::222222222222:role/service/EventStreams');
}, CLOCK);

onEachBackend('fetch, update and delete', async (t, server, clock) => {
  const acct = await server.account();
  const sinks = acct.client.events.v1.sinks;
  const created = await sinks.create({ description: 'Before', sinkConfiguration: KINESIS, sinkType: 'kinesis' });

  await t.test('fetch returns what create returned', async () => {
    assert.deepEqual((await sinks(created.sid).fetch()).toJSON(), created.toJSON());
  });

  await t.test('update changes the description and date_updated only', async () => {
    clock.advance(5000);
    const before = (await raw(server, acct, 'GET', `/v1/Sinks/${created.sid}`)).body;
    const res = await sinks(created.sid).updateWithHttpInfo({ description: 'After' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body.description, 'After');
    assert.deepEqual(res.body.dateUpdated, clock.now());
    assert.deepEqual(res.body.dateCreated, START);
    const after = (await raw(server, acct, 'GET', `/v1/Sinks/${created.sid}`)).body;
    assert.deepEqual(after, { ...before, description: 'After', date_updated: isoSeconds(clock.now()) });
  });

  await t.test('delete answers 204 (the SDK says true), then the sink is gone', async () => {
    const doomed = await sinks.create({ description: 'Doomed', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
    const res = await raw(server, acct, 'DELETE', `/v1/Sinks/${doomed.sid}`);
    assert.equal(res.status, 204);
    assert.equal(res.body, null);
    await assert.rejects(sinks(doomed.sid).fetch(), hasError(404, 20404, (m) => assert.equal(m, `The requested resource /Sinks/${doomed.sid} was not found`)));
    await assert.rejects(sinks(doomed.sid).remove(), hasError(404, 20404));
    const other = await sinks.create({ description: 'Other', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
    assert.equal(await sinks(other.sid).remove(), true);
    assert.deepEqual((await sinks.list()).map((s) => s.sid), [created.sid]);
  });

  await t.test('unknown sinks are 404 on every route', async () => {
    const unknown = `DG${'0'.repeat(32)}`;
    await assert.rejects(sinks(unknown).fetch(), hasError(404, 20404));
    await assert.rejects(sinks(unknown).update({ description: 'x' }), hasError(404, 20404));
    await assert.rejects(sinks(unknown).remove(), hasError(404, 20404));
    await assert.rejects(sinks(unknown).sinkTest.create(), hasError(404, 20404, (m) => assert.match(m, /\/Sinks\/DG0+\/Test was not found/)));
    await assert.rejects(sinks(unknown).sinkValidate.create({ testId: 'TEx' }), hasError(404, 20404));
  });
}, CLOCK);

/** Creates n sinks one second apart; returns their SIDs in creation order. */
async function createSinks(acct: Account, clock: { advance(ms: number): void }, n: number, step = 1000): Promise<string[]> {
  const sids: string[] = [];
  for (let i = 0; i < n; i++) {
    clock.advance(step);
    sids.push((await acct.client.events.v1.sinks.create({ description: `Sink ${i}`, sinkConfiguration: WEBHOOK, sinkType: 'webhook' })).sid);
  }
  return sids;
}

onEachBackend('list pages through every sink', async (t, server, clock) => {
  const acct = await server.account();
  const sinks = acct.client.events.v1.sinks;

  await t.test('empty list: the envelope of readEmpty', async () => {
    const { status, body } = await raw(server, acct, 'GET', '/v1/Sinks?PageSize=10');
    assert.equal(status, 200);
    const first = `${server.baseUrl}/v1/Sinks?PageSize=10&Page=0`;
    assert.deepEqual(body, { sinks: [], meta: { page: 0, page_size: 10, first_page_url: first, previous_page_url: null, url: first, next_page_url: null, key: 'sinks' } });
  });

  const sids = await createSinks(acct, clock, 7);
  // Three created in the same millisecond: the SID breaks the tie, and paging must not skip any.
  clock.advance(1000);
  sids.push(...(await createSinks(acct, clock, 3, 0)));
  const expected = [...sids.slice(0, 7), ...sids.slice(7).sort()];

  await t.test('list() and each() walk all pages', async () => {
    assert.deepEqual((await sinks.list({ pageSize: 3 })).map((s) => s.sid), expected);
    const seen: string[] = [];
    await sinks.each({ pageSize: 4 }, (s) => void seen.push(s.sid));
    assert.deepEqual(seen, expected);
    assert.deepEqual((await sinks.list({ limit: 5 })).map((s) => s.sid), expected.slice(0, 5));
  });

  await t.test('page() and nextPage() give pages of 3, 3, 3, 1', async () => {
    const sizes: number[] = [];
    const got: string[] = [];
    type P = { instances: Array<{ sid: string }>; nextPage(): Promise<P> | undefined };
    for (let page: P | undefined = (await sinks.page({ pageSize: 3 })) as unknown as P; page; page = await page.nextPage()) {
      sizes.push(page.instances.length);
      got.push(...page.instances.map((s) => s.sid));
    }
    assert.deepEqual(sizes, [3, 3, 3, 1]);
    assert.deepEqual(got, expected);
  });

  await t.test('next_page_url is on verifyd with a PageToken; each item is the fetched sink', async () => {
    const { body } = await raw(server, acct, 'GET', '/v1/Sinks?PageSize=2');
    assert.match(body.meta.next_page_url, new RegExp(`^${server.baseUrl}/v1/Sinks\\?PageSize=2&Page=1&PageToken=PA[A-Za-z0-9_-]+$`));
    assert.deepEqual(body.sinks[0], (await raw(server, acct, 'GET', `/v1/Sinks/${expected[0]}`)).body);
  });

  await t.test('bad paging parameters are 400 20001', async () => {
    for (const q of ['PageSize=0', 'PageSize=1001', 'PageSize=x', 'Page=-1', 'PageToken=nope', 'PageToken=PAbad']) {
      const { status, body } = await raw(server, acct, 'GET', `/v1/Sinks?${q}`);
      assert.equal(status, 400, q);
      assert.equal(body.code, 20001, q);
      assert.equal(body.more_info, 'https://www.twilio.com/docs/errors/20001');
    }
  });
}, CLOCK);

onEachBackend('InUse and Status filters', async (t, server, clock) => {
  const acct = await server.account();
  const sinks = acct.client.events.v1.sinks;
  const [used, unused] = await createSinks(acct, clock, 2);
  await acct.client.events.v1.subscriptions.create({ description: 'S', sinkSid: used!, types: [{ type: PENDING }] });
  // Sinks in the other states can only come from the store: the API makes active ones.
  const stored: Sink[] = (['initialized', 'validating', 'failed'] as const).map((status) => {
    clock.advance(1000);
    const now = clock.now().getTime();
    return { sid: newSid('DG'), accountSid: acct.sid, description: status, sinkType: 'webhook', config: { ...WEBHOOK, method: 'POST' }, status, dateCreated: now, dateUpdated: now };
  });
  for (const s of stored) await server.stores.sinks.insertSink(s);

  await t.test('InUse', async () => {
    assert.deepEqual((await sinks.list({ inUse: true })).map((s) => s.sid), [used]);
    assert.deepEqual((await sinks.list({ inUse: false })).map((s) => s.sid), [unused, ...stored.map((s) => s.sid)]);
    const { body } = await raw(server, acct, 'GET', '/v1/Sinks?InUse=true&PageSize=20');
    assert.equal(body.meta.url, `${server.baseUrl}/v1/Sinks?InUse=true&PageSize=20&Page=0`);
  });

  await t.test('Status', async () => {
    assert.deepEqual((await sinks.list({ status: 'active' })).map((s) => s.sid), [used, unused]);
    for (const s of stored) assert.deepEqual((await sinks.list({ status: s.status })).map((x) => x.sid), [s.sid], s.status);
    const { body } = await raw(server, acct, 'GET', '/v1/Sinks?Status=failed&PageSize=20');
    assert.equal(body.meta.first_page_url, `${server.baseUrl}/v1/Sinks?Status=failed&PageSize=20&Page=0`);
  });

  await t.test('both filters, and paging keeps them', async () => {
    assert.deepEqual((await sinks.list({ inUse: false, status: 'active' })).map((s) => s.sid), [unused]);
    assert.deepEqual((await sinks.list({ inUse: false, pageSize: 1 })).map((s) => s.sid), [unused, ...stored.map((s) => s.sid)]);
  });

  await t.test('bad filter values are 400 20001', async () => {
    for (const q of ['InUse=maybe', 'Status=ACTIVE', 'Status=deleted', 'Status=']) {
      const { status, body } = await raw(server, acct, 'GET', `/v1/Sinks?${q}`);
      assert.equal(status, 400, q);
      assert.equal(body.code, 20001, q);
      assert.match(body.message, new RegExp(q.split('=')[0]!), q);
    }
  });
}, CLOCK);

onEachBackend('Test then Validate', async (t, server) => {
  const acct = await server.account();
  const enqueued = captureEnqueued(server);
  const sink = await acct.client.events.v1.sinks.create({ description: 'Tested', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  const other = await acct.client.events.v1.sinks.create({ description: 'Other', sinkConfiguration: KINESIS, sinkType: 'kinesis' });

  const res = await acct.client.events.v1.sinks(sink.sid).sinkTest.createWithHttpInfo();
  assert.equal(res.statusCode, 201);
  assert.equal(res.body.result, 'submitted');
  assert.equal(enqueued.length, 1);
  const event = enqueued[0]!;
  const testId = event.testId!;

  await t.test('the test event is in the outbox for that sink only', async () => {
    assert.match(testId, /^[A-Za-z]{2}[0-9a-f]{32}$/);
    assert.equal(event.type, 'com.twilio.eventstreams.test-event');
    assert.equal(event.partitionKey, sink.sid);
    assert.equal(event.accountSid, acct.sid);
    assert.equal(event.payload.data.test_id, testId);
    assert.equal(event.payload.data.sink_sid, sink.sid);
    assert.equal((await server.stores.outbox.findTestEvent(acct.sid, sink.sid, testId))?.id, event.id);
    assert.equal(await server.stores.outbox.findTestEvent(acct.sid, other.sid, testId), undefined);
    const deliveries = await server.stores.outbox.deliveryStatus(event.id);
    assert.deepEqual(deliveries.map((d) => [d.sinkSid, d.state]), [[sink.sid, 'pending']]);
  });

  await t.test('Validate with that TestId is 201 valid', async () => {
    const v = await acct.client.events.v1.sinks(sink.sid).sinkValidate.createWithHttpInfo({ testId });
    assert.equal(v.statusCode, 201);
    assert.equal(v.body.result, 'valid');
    const r = await raw(server, acct, 'POST', `/v1/Sinks/${sink.sid}/Validate`, { TestId: testId });
    assert.deepEqual(r.body, { result: 'valid' });
  });

  await t.test('an unknown TestId, one of another sink, or none is 400 20001', async () => {
    const validate = acct.client.events.v1.sinks(sink.sid).sinkValidate;
    await assert.rejects(validate.create({ testId: `TE${'0'.repeat(32)}` }), hasError(400, 20001, (m) => assert.match(m, /TestId/)));
    await assert.rejects(acct.client.events.v1.sinks(other.sid).sinkValidate.create({ testId }), hasError(400, 20001));
    const none = await raw(server, acct, 'POST', `/v1/Sinks/${sink.sid}/Validate`, {});
    assert.equal(none.status, 400);
    assert.equal(none.body.code, 20001);
    assert.equal(none.body.message, 'Missing required parameter TestId');
  });

  await t.test('every Test makes a new event with a new TestId', async () => {
    await acct.client.events.v1.sinks(sink.sid).sinkTest.create();
    assert.equal(enqueued.length, 2);
    assert.notEqual(enqueued[1]!.id, event.id);
    assert.notEqual(enqueued[1]!.testId, testId);
  });
});

onEachBackend('deleting a sink takes its subscriptions and undelivered events', async (t, server) => {
  const acct = await server.account();
  const enqueued = captureEnqueued(server);
  const api = acct.client.events.v1;
  const sink = await api.sinks.create({ description: 'Doomed', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  const keep = await api.sinks.create({ description: 'Kept', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  const subs = [
    await api.subscriptions.create({ description: 'A', sinkSid: sink.sid, types: [{ type: PENDING }] }),
    await api.subscriptions.create({ description: 'B', sinkSid: sink.sid, types: [{ type: PENDING }] }),
  ];
  const kept = await api.subscriptions.create({ description: 'C', sinkSid: keep.sid, types: [{ type: PENDING }] });
  await api.sinks(sink.sid).sinkTest.create();
  const testEvent = enqueued[0]!;

  assert.equal(await api.sinks(sink.sid).remove(), true);

  await t.test('its subscriptions are gone, others stay', async () => {
    for (const s of subs) {
      await assert.rejects(api.subscriptions(s.sid).fetch(), hasError(404, 20404));
      await assert.rejects(api.subscriptions(s.sid).subscribedEvents.list(), hasError(404, 20404));
    }
    assert.deepEqual((await api.subscriptions.list()).map((s) => s.sid), [kept.sid]);
    assert.deepEqual((await api.subscriptions.list({ sinkSid: sink.sid })).map((s) => s.sid), []);
    assert.deepEqual((await api.sinks.list({ inUse: true })).map((s) => s.sid), [keep.sid]);
  });

  await t.test('its pending delivery is gone; Test and Validate are 404', async () => {
    assert.deepEqual(await server.stores.outbox.deliveryStatus(testEvent.id), []);
    await assert.rejects(api.sinks(sink.sid).sinkValidate.create({ testId: testEvent.testId! }), hasError(404, 20404));
    await assert.rejects(api.sinks(sink.sid).sinkTest.create(), hasError(404, 20404));
  });
});
