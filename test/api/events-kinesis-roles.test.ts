/**
 * Kinesis sinks written as their own role (KINESIS_ASSUME_ROLE=on): verifyd asks STS for the sink's
 * `role_arn` with its `external_id`, signs PutRecords with those temporary credentials, keeps them
 * until they near expiry, and treats a refused AssumeRole as a failed, retried delivery. Real
 * kinesalite behind the recording front, the AWS SDK's real STS client against an STS stand-in
 * (test/support/sts.ts; STS itself cannot run here), real dispatcher, both backends. Production
 * mode assumes roles by default.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { ROLE_SESSION_NAME } from '../../src/events/senders/kinesis.js';
import type { DeliveryStatus } from '../../src/domain/events/types.js';
import { T, outbox, settled } from '../support/events.js';
import { createStream, startFront, startKinesalite, streamArn, waitForRecords } from '../support/kinesis.js';
import { assumedKeyId, startSts } from '../support/sts.js';
import { onEachBackend, setup, type Account, type ServiceApi, type TestServer } from '../support/server.js';

const kinesis = await startKinesalite();
const front = await startFront(kinesis.url);
const sts = await startSts();
after(async () => {
  await sts.close();
  await front.close();
  await kinesis.close();
});

const role = (name: string) => `arn:aws:iam::111111111111:role/${name}-${randomBytes(3).toString('hex')}`;

async function kinesisSink(acct: Account, stream: string, roleArn: string, externalId: string): Promise<void> {
  const sink = await acct.client.events.v1.sinks.create({
    description: `kinesis ${stream}`,
    sinkType: 'kinesis',
    sinkConfiguration: { arn: streamArn(stream), role_arn: roleArn, external_id: externalId },
  });
  await acct.client.events.v1.subscriptions.create({ description: 'roles', sinkSid: sink.sid, types: [{ type: T.pending, schema_version: 2 }] });
}

async function startSome(api: ServiceApi, from: number, n: number): Promise<void> {
  for (let i = from; i < from + n; i++) await api.verifications.create({ to: `+150171226${String(i).padStart(2, '0')}`, channel: 'sms' });
}

const hasAll = (ids: string[]) => (records: Array<{ data: string }>) => ids.every((id) => records.some((r) => (JSON.parse(r.data) as { id: string }).id === id));
const newStream = () => `roles-${randomBytes(4).toString('hex')}`;

const OPTIONS = { dispatcher: { kinesisEndpoint: front.url, stsEndpoint: sts.url } };

/** A service with events on and one Kinesis sink on a new stream, written as a new role. */
async function oneSink(server: TestServer, name: string) {
  const stream = newStream();
  const roleArn = role(name);
  await createStream(kinesis.client, stream, 1);
  const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
  await kinesisSink(acct, stream, roleArn, `ext-${name}`);
  return { stream, roleArn, acct, api };
}

/** Waits until the event's delivery has at least two failed attempts, and returns it. */
async function failedTwice(server: TestServer, eventId: string): Promise<DeliveryStatus> {
  for (const deadline = Date.now() + 15_000; ; ) {
    const [d] = await server.stores.outbox.deliveryStatus(eventId);
    if (d && d.history.filter((a) => !a.ok).length >= 2) return d;
    assert.ok(Date.now() < deadline, `two failed attempts for ${eventId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

onEachBackend('each Kinesis sink is written as its own role, with its external id', async (_t, server) => {
  const [streamA, streamB] = [newStream(), newStream()];
  const [roleA, roleB] = [role('alpha'), role('beta')];
  await createStream(kinesis.client, streamA, 1);
  await createStream(kinesis.client, streamB, 1);
  const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
  await kinesisSink(acct, streamA, roleA, 'ext-alpha');
  await kinesisSink(acct, streamB, roleB, 'ext-beta');

  await startSome(api, 0, 3);
  let ids = (await outbox(server, acct.sid)).map((e) => e.id);
  await waitForRecords(kinesis.client, streamA, hasAll(ids));
  await waitForRecords(kinesis.client, streamB, hasAll(ids));

  const callsFor = (roleArn: string) => sts.calls.filter((c) => c.roleArn === roleArn);
  for (const [roleArn, externalId] of [[roleA, 'ext-alpha'], [roleB, 'ext-beta']] as const) {
    assert.deepEqual(callsFor(roleArn), [{ roleArn, externalId, roleSessionName: ROLE_SESSION_NAME, durationSeconds: 3600, callerKeyId: 'test' }]);
  }
  const signers = (stream: string) => new Set(front.calls.filter((c) => c.stream === stream).map((c) => `${c.accessKeyId} ${c.sessionToken}`));
  const keyA = assumedKeyId(roleA, 'ext-alpha');
  const keyB = assumedKeyId(roleB, 'ext-beta');
  assert.deepEqual(signers(streamA), new Set([`${keyA} token-${keyA}`]), 'stream A written only with role A');
  assert.deepEqual(signers(streamB), new Set([`${keyB} token-${keyB}`]), 'stream B written only with role B');

  // More events later: the assumed credentials are reused, not asked for again.
  await startSome(api, 3, 3);
  ids = (await outbox(server, acct.sid)).map((e) => e.id);
  assert.equal(ids.length, 6);
  await waitForRecords(kinesis.client, streamA, hasAll(ids));
  await waitForRecords(kinesis.client, streamB, hasAll(ids));
  assert.equal(callsFor(roleA).length, 1);
  assert.equal(callsFor(roleB).length, 1);
  assert.equal(signers(streamA).size, 1);
}, OPTIONS);

onEachBackend('assumed credentials are renewed before they expire', async (_t, server) => {
  const { stream, roleArn, acct, api } = await oneSink(server, 'short');
  // The SDK renews credentials that expire within five minutes: these are due 2 s after issue.
  sts.lifetimeSeconds = 302;
  try {
    await startSome(api, 20, 1);
    await waitForRecords(kinesis.client, stream, hasAll((await outbox(server, acct.sid)).map((e) => e.id)));
    assert.equal(sts.calls.filter((c) => c.roleArn === roleArn).length, 1);
    await new Promise((r) => setTimeout(r, 2_500));
    await startSome(api, 21, 1);
    await waitForRecords(kinesis.client, stream, hasAll((await outbox(server, acct.sid)).map((e) => e.id)));
    assert.equal(sts.calls.filter((c) => c.roleArn === roleArn).length, 2, 'asked again once the first credentials were due');
  } finally {
    sts.lifetimeSeconds = null;
  }
}, OPTIONS);

onEachBackend('an STS that never answers fails the delivery within its timeout, and it is retried', async (_t, server) => {
  const { stream, roleArn, acct, api } = await oneSink(server, 'hung');
  sts.hang = (c) => c.roleArn === roleArn;
  try {
    await startSome(api, 30, 1);
    const [event] = await outbox(server, acct.sid);
    for (const a of (await failedTwice(server, event!.id)).history) {
      assert.equal(a.ok, false);
      assert.match(a.error ?? '', /TimeoutError|timed? ?out/i);
      assert.ok(a.latencyMs < 3_000, `an attempt took ${a.latencyMs} ms with a 400 ms timeout`);
    }
    sts.hang = () => false;
    await waitForRecords(kinesis.client, stream, hasAll([event!.id]));
    assert.equal((await settled(server, event!.id))[0]!.state, 'delivered');
  } finally {
    sts.hang = () => false;
  }
}, { dispatcher: { ...OPTIONS.dispatcher, webhookTimeoutMs: 400 } });

onEachBackend('a role that refuses verifyd fails the deliveries until its trust policy allows it', async (_t, server) => {
  const { stream, roleArn, acct, api } = await oneSink(server, 'locked');
  sts.refuse = (c) => c.roleArn === roleArn;
  try {
    await startSome(api, 10, 1);
    const [event] = await outbox(server, acct.sid);
    await failedTwice(server, event!.id);
    const [pending] = await server.stores.outbox.deliveryStatus(event!.id);
    assert.equal(pending!.state, 'pending', 'still being retried');
    for (const a of pending!.history) assert.match(a.error ?? '', /not authorized to perform: sts:AssumeRole/);
    assert.equal(front.calls.filter((c) => c.stream === stream).length, 0, 'no PutRecords without the role');
    assert.ok(sts.calls.filter((c) => c.roleArn === roleArn).length >= 2, 'a refusal is not remembered: STS is asked again');

    sts.refuse = () => false;
    await waitForRecords(kinesis.client, stream, hasAll([event!.id]));
    const [d] = await settled(server, event!.id);
    assert.equal(d!.state, 'delivered');
    assert.equal(d!.history.at(-1)!.ok, true);
  } finally {
    sts.refuse = () => false;
  }
}, OPTIONS);

onEachBackend('in production a Kinesis sink is written as its role without KINESIS_ASSUME_ROLE being set', async (_t, server) => {
  const { stream, roleArn, acct, api } = await oneSink(server, 'prod');
  await startSome(api, 40, 1);
  await waitForRecords(kinesis.client, stream, hasAll((await outbox(server, acct.sid)).map((e) => e.id)));
  assert.deepEqual(sts.calls.filter((c) => c.roleArn === roleArn).map((c) => c.externalId), ['ext-prod']);
  const key = assumedKeyId(roleArn, 'ext-prod');
  assert.deepEqual(new Set(front.calls.filter((c) => c.stream === stream).map((c) => c.accessKeyId)), new Set([key]));
}, { ...OPTIONS, env: { VERIFYD_ENV: 'production', INBOX_ENABLED: 'true', KINESIS_ASSUME_ROLE: undefined } });
