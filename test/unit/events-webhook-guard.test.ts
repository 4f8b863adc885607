/**
 * WebhookSender's guarded DNS lookup with a resolver handed in, against real HTTP servers on two
 * loopback addresses bound to the same port: a name resolving to a blocked and an allowed address
 * connects only to the allowed one, whatever the order; one resolving only to blocked addresses,
 * or to none, fails with the reason; the receiver's answer is read only up to a limit.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { WebhookSender, type Resolver } from '../../src/events/senders/webhook.js';
import { BlockedNetworks } from '../../src/domain/events/networks.js';
import type { CloudEvent } from '../../src/domain/events/types.js';

interface Host {
  server: Server;
  hits: number;
}

const hosts: Record<string, Host> = {};
let port = 0;

async function listen(address: string, answer: (res: import('node:http').ServerResponse) => void = (res) => res.end('ok')): Promise<Host> {
  const host: Host = { server: createServer((req, res) => req.resume().on('end', () => { host.hits++; answer(res); })), hits: 0 };
  await new Promise<void>((resolve, reject) => host.server.once('error', reject).listen(port, address, resolve));
  port = (host.server.address() as AddressInfo).port;
  return host;
}

before(async () => {
  hosts['127.0.0.1'] = await listen('127.0.0.1');
  hosts['127.0.0.2'] = await listen('127.0.0.2');
});
after(() => Object.values(hosts).forEach((h) => h.server.close()));

const reset = () => Object.values(hosts).forEach((h) => (h.hits = 0));
const resolver = (addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: 4 }));
const EVENTS = [{ id: 'NO00000000000000000000000000000000' } as CloudEvent];
/** post() is handed its token; the sender's own lookup is not used here. */
const tokens = { get: async () => 'token' };
const post = (sender: WebhookSender, host = 'mixed.test') => sender.post({ destination: `http://${host}:${port}/hook`, method: 'POST', batch_events: false }, EVENTS, 'token', 2_000);

test('a name with a blocked and an allowed address connects only to the allowed one, in either order', async () => {
  for (const order of [['127.0.0.2', '127.0.0.1'], ['127.0.0.1', '127.0.0.2']]) {
    reset();
    const sender = new WebhookSender(new BlockedNetworks('127.0.0.2/32'), tokens, resolver(order));
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(sender)).ok, true, order.join(' '));
      assert.deepEqual([hosts['127.0.0.1']!.hits, hosts['127.0.0.2']!.hits], [3, 0], order.join(' '));
    } finally {
      await sender.close();
    }
  }
});

test('a name with only blocked addresses, or none, or that does not resolve, fails with the reason and sends nothing', async () => {
  reset();
  const cases: Array<[Resolver, RegExp]> = [
    [resolver(['127.0.0.2', '127.0.0.1']), /^mixed\.test resolves only to 127\.0\.0\.2, 127\.0\.0\.1, in a network this server does not deliver to/],
    [resolver([]), /^mixed\.test has no address$/],
    // NAT64 and 6to4 spellings of 127.0.0.1, as a DNS64 resolver would answer.
    [async () => [{ address: '64:ff9b::7f00:1', family: 6 }, { address: '2002:7f00:1::1', family: 6 }], /^mixed\.test resolves only to 64:ff9b::7f00:1, 2002:7f00:1::1, in a network/],
    [async () => { throw Object.assign(new Error('getaddrinfo ENOTFOUND mixed.test'), { code: 'ENOTFOUND' }); }, /ENOTFOUND/],
  ];
  for (const [resolve, reason] of cases) {
    const sender = new WebhookSender(new BlockedNetworks('loopback'), tokens, resolve);
    try {
      const outcome = await post(sender);
      assert.equal(outcome.ok, false);
      assert.equal(outcome.statusCode, null);
      assert.match(outcome.error ?? '', reason);
    } finally {
      await sender.close();
    }
  }
  assert.deepEqual([hosts['127.0.0.1']!.hits, hosts['127.0.0.2']!.hits], [0, 0]);
});

test('a receiver answering without end is cut off after the limit; its status still counts', async () => {
  const endless = await listen('127.0.0.3', (res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(16 * 1024, 120);
    const pump = () => { while (res.write(chunk)); };
    res.on('drain', pump);
    pump();
  });
  const sender = new WebhookSender(new BlockedNetworks('none'), tokens);
  try {
    const outcome = await post(sender, '127.0.0.3');
    assert.deepEqual([outcome.ok, outcome.statusCode, outcome.error], [true, 200, null]);
  } finally {
    await sender.close();
    endless.server.closeAllConnections();
    endless.server.close();
  }
});
