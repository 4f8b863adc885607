/**
 * Webhook destinations in blocked networks (EVENTS_WEBHOOK_BLOCKED_NETWORKS): a sink that names a
 * blocked address outright is refused when it is created; one that names a host resolving only to
 * blocked addresses is accepted, and then every delivery to it fails at connect time without a
 * byte reaching the receiver. Real receiver, real dispatcher, real DNS (localhost), both backends.
 */
import assert from 'node:assert/strict';
import { STRICT_BLOCKED_NETWORKS } from '../../src/domain/events/networks.js';
import { hasError } from '../support/assertions.js';
import { T, outbox, settled, subscribeWebhook } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { onEachBackend, setup, type Account } from '../support/server.js';

const createWebhook = (acct: Account, destination: string) =>
  acct.client.events.v1.sinks.create({ description: 'hook', sinkType: 'webhook', sinkConfiguration: { destination, method: 'POST', batch_events: false } });

const refused = (destination: string) =>
  hasError(400, 20001, (m) => {
    assert.match(m, /SinkConfiguration\.destination/);
    assert.match(m, /EVENTS_WEBHOOK_BLOCKED_NETWORKS/);
  });

onEachBackend('webhook sinks under the default blocked networks', async (t, server) => {
  const acct = await server.account();

  await t.test('metadata, link-local, unspecified and multicast addresses are refused in every spelling', async () => {
    for (const destination of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/', // 169.254.169.254 as one decimal number
      'http://0xa9.0xfe.0xa9.0xfe/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00:ec2::254]/',
      'http://[64:ff9b::a9fe:a9fe]/', // NAT64, IPv4-compatible and 6to4 spellings of 169.254.169.254
      'http://[::169.254.169.254]/',
      'http://[2002:a9fe:a9fe::]/',
      'http://100.100.100.200/latest/meta-data/',
      'http://[fe80::1]:8080/',
      'http://0.0.0.0:8080/',
      'http://[::]/',
      'https://224.0.0.1/',
      'http://255.255.255.255/',
    ]) {
      await assert.rejects(createWebhook(acct, destination), refused(destination), destination);
    }
    assert.deepEqual(await acct.client.events.v1.sinks.list(), [], 'nothing was stored');
  });

  await t.test('loopback, private addresses and host names are accepted', async () => {
    for (const destination of ['http://127.0.0.1:9/', 'http://10.1.2.3/', 'http://[fd12::1]/', 'http://metadata.google.internal/']) {
      assert.equal((await createWebhook(acct, destination)).sinkType, 'webhook', destination);
    }
  });

  await t.test('a sink stored before its address was blocked gets nothing from a dispatcher that blocks it', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url(), { types: [T.pending] });
    const strict = await server.sibling({ blockedNetworks: 'loopback', dispatcher: { retry: { baseMs: 20, capMs: 40, windowMs: 300 } } });
    t.after(() => strict.close());
    await api.verifications.create({ to: '+15017122661', channel: 'sms' });
    const [event] = await outbox(server, acct.sid);
    const [delivery] = await settled(server, event!.id);
    assert.equal(delivery!.state, 'failed');
    for (const a of delivery!.history) assert.equal(a.error, '127.0.0.1 is in a network this server does not deliver to (EVENTS_WEBHOOK_BLOCKED_NETWORKS)');
    assert.equal(receiver.requests.length, 0);
  });
});

onEachBackend('webhook sinks when loopback and private networks are blocked too', async (t, server) => {
  const acct = await server.account();

  await t.test('their addresses are refused', async () => {
    for (const destination of [
      'http://127.0.0.1:9/', 'http://[::1]/', 'http://10.1.2.3/', 'http://172.20.0.1/', 'http://192.168.0.10/', 'http://100.64.0.1/', 'http://[fd12::1]/',
      // 127.0.0.1 and 10.1.2.3 inside IPv6: NAT64, 6to4, IPv4-compatible.
      'http://[64:ff9b::7f00:1]:9/', 'http://[2002:7f00:1::]:9/', 'http://[::127.0.0.1]:9/', 'http://[64:ff9b::10.1.2.3]/', 'http://[2002:a01:203::1]/',
    ]) {
      await assert.rejects(createWebhook(acct, destination), refused(destination), destination);
    }
  });

  await t.test('a host name resolving to loopback is stored, and nothing is ever sent to it', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    const port = new URL(receiver.origin).port;
    await subscribeWebhook(acct, `http://localhost:${port}/hook`, { types: [T.pending] });
    await api.verifications.create({ to: '+15017122661', channel: 'sms' });
    const [event] = await outbox(server, acct.sid);
    assert.ok(event);

    const [delivery] = await settled(server, event.id);
    assert.equal(delivery!.state, 'failed', 'given up at the end of the retry window');
    assert.ok(delivery!.history.length >= 2, 'retried like any failing receiver');
    for (const a of delivery!.history) {
      assert.equal(a.ok, false);
      assert.equal(a.statusCode, null);
      assert.match(a.error ?? '', /^localhost resolves only to [0-9a-f.:, ]+, in a network this server does not deliver to \(EVENTS_WEBHOOK_BLOCKED_NETWORKS\)$/);
    }
    assert.equal(receiver.requests.length, 0, 'the receiver saw no request');
  });
}, { blockedNetworks: STRICT_BLOCKED_NETWORKS, dispatcher: { retry: { baseMs: 20, capMs: 40, windowMs: 400 } } });
