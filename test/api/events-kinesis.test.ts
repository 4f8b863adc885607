/**
 * Kinesis sinks against kinesalite (a Kinesis-compatible server from npm, in this process): every
 * event of a verification's life is written to the stream as one record, read back from every
 * shard; a stream that does not exist yet fails the deliveries, which are retried until it does;
 * a PutRecords call that rejects some of its records has only those records sent again.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { systemClock } from '../../src/domain/clock.js';
import type { CloudEvent, DeliveryStatus } from '../../src/domain/events/types.js';
import { ALL_TYPES, T, outbox, settled } from '../support/events.js';
import { THROTTLED, createStream, startFront, startKinesalite, streamArn, waitForRecords, type StreamRecord } from '../support/kinesis.js';
import { onEachBackend, setup, testDispatcher, type Account, type ServiceApi, type TestServer } from '../support/server.js';

const kinesis = await startKinesalite();
const front = await startFront(kinesis.url);
after(async () => {
  await front.close();
  await kinesis.close();
});

const newStreamName = () => `verifyd-${randomBytes(4).toString('hex')}`;

/** A kinesis sink on `stream` subscribed to every verification type, made through the SDK. */
async function subscribeKinesis(acct: Account, stream: string): Promise<string> {
  const sink = await acct.client.events.v1.sinks.create({
    description: `kinesis ${stream}`,
    sinkType: 'kinesis',
    sinkConfiguration: { arn: streamArn(stream), role_arn: 'arn:aws:iam::000000000000:role/verifyd', external_id: 'verifyd-test' },
  });
  await acct.client.events.v1.subscriptions.create({
    description: 'kinesis test',
    sinkSid: sink.sid,
    types: ALL_TYPES.map((type) => ({ type, schema_version: 2 })),
  });
  return sink.sid;
}

/** What one verification's events should be: its SID, `to`, and the types in the order they happened. */
interface Life {
  sid: string;
  to: string;
  types: string[];
}

/**
 * Start → approved, start → canceled, start → resend: six events over three verifications (three
 * partition keys, so a two-shard stream usually gets records on both shards).
 */
async function liveThreeVerifications(server: TestServer, acct: Account, api: ServiceApi): Promise<Life[]> {
  const [a, b, c] = ['+15017122671', '+15017122672', '+15017122673'];
  const va = await api.verifications.create({ to: a, channel: 'sms' });
  const { code } = await server.latestMessage(acct, a);
  assert.equal((await api.verificationChecks.create({ to: a, code })).status, 'approved');
  const vb = await api.verifications.create({ to: b, channel: 'sms' });
  assert.equal((await api.verifications(vb.sid).update({ status: 'canceled' })).status, 'canceled');
  const vc = await api.verifications.create({ to: c, channel: 'sms' });
  await api.verifications.create({ to: c, channel: 'sms' });
  return [
    { sid: va.sid, to: a, types: [T.pending, T.approved] },
    { sid: vb.sid, to: b, types: [T.pending, T.canceled] },
    { sid: vc.sid, to: c, types: [T.pending, T.pending] },
  ];
}

const parse = (r: StreamRecord): CloudEvent => JSON.parse(r.data) as CloudEvent;
const sorted = (xs: string[]) => [...xs].sort();

/**
 * The outbox holds exactly the events the lives call for, and each record is one of them: Data is
 * the stored CloudEvent byte for byte in meaning (deep-equal), with its partition key the
 * verification SID. Returns the outbox ids.
 */
async function checkRecords(server: TestServer, acct: Account, svcSid: string, lives: Life[], records: StreamRecord[]): Promise<string[]> {
  const stored = await outbox(server, acct.sid);
  const bySid = new Map(lives.map((l) => [l.sid, l]));
  assert.deepEqual(
    sorted(stored.map((e) => `${e.payload.data.verification_sid} ${e.type}`)),
    sorted(lives.flatMap((l) => l.types.map((t) => `${l.sid} ${t}`))),
    'the outbox has one event per status change',
  );
  const storedById = new Map(stored.map((e) => [e.id, e]));
  for (const r of records) {
    const ev = parse(r);
    const row = storedById.get(ev.id);
    assert.ok(row, `record ${ev.id} is an event of this account`);
    assert.deepEqual(ev, row.payload, 'Data is the stored CloudEvent');
    const life = bySid.get(ev.data.verification_sid as string);
    assert.ok(life, `record for a known verification: ${r.data}`);
    assert.equal(r.partitionKey, life.sid, 'partition key is the verification SID');
    assert.equal(ev.specversion, '1.0');
    assert.match(ev.id, /^NO[0-9a-f]{32}$/);
    assert.equal(ev.source, `/v2/Services/${svcSid}/Verifications/${life.sid}`);
    assert.equal(ev.datacontenttype, 'application/json');
    assert.equal(ev.data.account_sid, acct.sid);
    assert.equal(ev.data.service_sid, svcSid);
    assert.equal(ev.data.to, life.to);
    assert.equal(ev.data.verification_status, ev.type.split('.').pop()!.toUpperCase());
  }
  return stored.map((e) => e.id);
}

/** Each id once in the stream, or repeated only as the very same record (at least once). Returns how many repeats. */
function onePerId(records: StreamRecord[], ids: string[]): number {
  const first = new Map<string, string>();
  let repeats = 0;
  for (const r of records) {
    const id = parse(r).id;
    const seen = first.get(id);
    if (seen === undefined) first.set(id, r.data);
    else {
      repeats += 1;
      assert.equal(r.data, seen, `a repeated record of ${id} carries the same event`);
    }
  }
  assert.deepEqual(sorted([...first.keys()]), sorted(ids), 'every event of the outbox is in the stream, and nothing else');
  return repeats;
}

const hasIds = (ids: string[]) => (records: StreamRecord[]) => {
  const got = new Set(records.map((r) => parse(r).id));
  return ids.every((id) => got.has(id));
};

onEachBackend(
  'every status event is one record on the stream, keyed by the verification SID',
  async (t, server) => {
    const stream = newStreamName();
    await createStream(kinesis.client, stream, 2);
    const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    const sinkSid = await subscribeKinesis(acct, stream);

    const lives = await liveThreeVerifications(server, acct, api);
    const ids = (await outbox(server, acct.sid)).map((e) => e.id);
    assert.equal(ids.length, 6);
    await waitForRecords(kinesis.client, stream, hasIds(ids), 15_000, `${ids.length} events`);
    for (const id of ids) {
      const [d] = await settled(server, id);
      assert.equal(d?.sinkSid, sinkSid);
      assert.equal(d?.state, 'delivered');
      assert.equal(d?.attempts, 1, 'one PutRecords was enough');
      assert.equal(d?.history.length, 1);
      assert.equal(d?.history[0]?.ok, true);
    }

    // Read again from the start once every delivery is recorded: nothing more arrived.
    const records = await waitForRecords(kinesis.client, stream, hasIds(ids));
    await checkRecords(server, acct, svc.sid, lives, records);
    assert.equal(onePerId(records, ids), 0, 'no failure, so no event was written twice');
    assert.equal(records.length, 6);
    t.diagnostic(`records per shard: ${JSON.stringify(Object.fromEntries(['shardId-000000000000', 'shardId-000000000001'].map((s) => [s, records.filter((r) => r.shardId === s).length])))}`);
  },
  { dispatcher: { kinesisEndpoint: kinesis.url } },
);

onEachBackend(
  'a stream that does not exist yet fails the deliveries; they are retried and arrive once it exists',
  async (t, server) => {
    const stream = newStreamName();
    const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeKinesis(acct, stream);
    const lives = await liveThreeVerifications(server, acct, api);
    const ids = (await outbox(server, acct.sid)).map((e) => e.id);
    assert.equal(ids.length, 6);

    // Wait until every delivery has failed at least twice (a failure, then a failed retry).
    const failedTwice = async () => {
      const all = (await Promise.all(ids.map((id) => server.stores.outbox.deliveryStatus(id)))).flat();
      return all.length === ids.length && all.every((d) => d.state === 'pending' && d.history.filter((a) => !a.ok).length >= 2);
    };
    for (const deadline = Date.now() + 15_000; !(await failedTwice()); ) {
      assert.ok(Date.now() < deadline, 'every delivery failed twice against the missing stream');
      await new Promise((r) => setTimeout(r, 50));
    }

    await createStream(kinesis.client, stream, 2);
    await waitForRecords(kinesis.client, stream, hasIds(ids), 15_000, `${ids.length} events after the stream was created`);
    for (const id of ids) {
      const [d] = (await settled(server, id)) as [DeliveryStatus];
      assert.equal(d.state, 'delivered');
      const failures = d.history.filter((a) => !a.ok);
      assert.ok(failures.length >= 2);
      for (const f of failures) {
        assert.match(f.error ?? '', /ResourceNotFoundException/, 'the failed attempt says why');
        assert.equal(f.statusCode, null);
      }
      assert.equal(d.history.at(-1)?.ok, true, 'the last attempt delivered');
      assert.equal(d.history.filter((a) => a.ok).length, 1, 'delivered once');
      assert.equal(d.attempts, d.history.length, 'every attempt is recorded');
    }

    const records = await waitForRecords(kinesis.client, stream, hasIds(ids));
    await checkRecords(server, acct, svc.sid, lives, records);
    const repeats = onePerId(records, ids);
    // A refused PutRecords stores nothing, so retrying it cannot duplicate; repeats are reported, not expected.
    t.diagnostic(`records: ${records.length}, repeated ids: ${repeats}`);
    assert.equal(repeats, 0);
  },
  { dispatcher: { kinesisEndpoint: kinesis.url } },
);

/**
 * kinesalite never rejects part of a PutRecords call (it stores all records or refuses the call),
 * so this goes through a front that keeps chosen records from kinesalite and answers for them with
 * ProvisionedThroughputExceededException, as Kinesis does for a throttled shard. verifyd's real
 * KinesisSender and dispatcher talk to it over HTTP; the records that did reach kinesalite must
 * not be sent again.
 */
onEachBackend('a PutRecords call that rejects some records retries only those records', async (t, server) => {
  const stream = newStreamName();
  await createStream(kinesis.client, stream, 2);
  const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
  await subscribeKinesis(acct, stream);
  // Events first, dispatcher after: its first claim takes all six, so they go in one PutRecords call.
  const lives = await liveThreeVerifications(server, acct, api);
  const ids = (await outbox(server, acct.sid)).map((e) => e.id);
  assert.equal(ids.length, 6);

  const seen = new Set<string>();
  front.reject = (id, index) => {
    const first = !seen.has(id);
    seen.add(id);
    return first && index % 2 === 1;
  };
  const sender = testDispatcher(server.stores, systemClock, { kinesisEndpoint: front.url });
  sender.dispatcher.start();
  try {
    await waitForRecords(kinesis.client, stream, hasIds(ids), 15_000, `${ids.length} events through the throttling front`);
    for (const id of ids) await settled(server, id);
  } finally {
    await sender.dispatcher.stop();
    await sender.close();
    front.reject = () => false;
  }

  const calls = front.calls.filter((c) => c.stream === stream);
  const [firstCall, ...retries] = calls;
  assert.ok(firstCall);
  assert.deepEqual(sorted(firstCall.ids), sorted(ids), 'the first call carried all six events');
  assert.equal(firstCall.rejected.length, 3, 'and three of them were rejected');
  assert.ok(retries.length >= 1);
  for (const c of retries) {
    for (const id of c.ids) assert.ok(firstCall.rejected.includes(id), `a retry carried ${id}, which had been accepted`);
  }
  // Across all calls, every event was accepted (forwarded to kinesalite) exactly once.
  const accepted = calls.flatMap((c) => c.ids.filter((id) => !c.rejected.includes(id)));
  assert.deepEqual(sorted(accepted), sorted(ids));

  for (const id of ids) {
    const [d] = (await server.stores.outbox.deliveryStatus(id)) as [DeliveryStatus];
    assert.equal(d.state, 'delivered');
    if (firstCall.rejected.includes(id)) {
      assert.equal(d.history.length, 2, `${id}: rejected once, then accepted`);
      assert.equal(d.history[0]?.ok, false);
      assert.match(d.history[0]?.error ?? '', new RegExp(THROTTLED));
      assert.equal(d.history[1]?.ok, true);
    } else {
      assert.equal(d.history.length, 1, `${id}: accepted at once, never resent`);
      assert.equal(d.history[0]?.ok, true);
    }
  }

  const records = await waitForRecords(kinesis.client, stream, hasIds(ids));
  await checkRecords(server, acct, svc.sid, lives, records);
  assert.equal(onePerId(records, ids), 0, 'no record was written twice');
  t.diagnostic(`PutRecords calls: ${calls.map((c) => `${c.ids.length} records, ${c.rejected.length} rejected`).join('; ')}`);
});
