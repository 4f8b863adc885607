import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { eventReceipts, validEventSignature, xMessageIdOf } from '../../src/channels/sendgrid/webhooks.js';

test("the X-Message-Id an event's sg_message_id starts with", () => {
  assert.equal(xMessageIdOf('W86EgYT6SQKk0lRflfLRsA.filterdrecv-5645d9c87f-6r4mk-1-62B4A3B6-2B.0'), 'W86EgYT6SQKk0lRflfLRsA');
  assert.equal(xMessageIdOf('14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0'), '14c5d75ce93.dfd.64b469');
  assert.equal(xMessageIdOf('Zm9vYmFy.recvd-7f6b9c8d4-abcde-1-64F0A1B2-3.0'), 'Zm9vYmFy');
  assert.equal(xMessageIdOf('plain'), 'plain');
  assert.equal(xMessageIdOf('abc.def'), 'abc');
});

test('events: processed is sent, delivered, bounce undelivered, dropped failed; others and junk move nothing', () => {
  const id = (x: string) => `${x}.filterdrecv-1`;
  const payload = [
    { event: 'processed', sg_message_id: id('A') },
    { event: 'delivered', sg_message_id: id('A') },
    { event: 'bounce', type: 'blocked', sg_message_id: id('B') },
    { event: 'dropped', sg_message_id: id('C') },
    { event: 'deferred', sg_message_id: id('D') },
    { event: 'open', sg_message_id: id('A') },
    { event: 'constructor', sg_message_id: id('E') },
    { event: 'delivered' },
    null,
  ];
  assert.deepEqual(
    eventReceipts('sg', payload).map((r) => [r.providerMessageId, r.status, r.errorCode]),
    [['A', 'sent', null], ['A', 'delivered', null], ['B', 'undelivered', 30008], ['C', 'failed', 30008]],
  );
  for (const junk of [undefined, {}, 'x', [1]]) assert.deepEqual(eventReceipts('sg', junk), []);
});

test('the signature is ECDSA P-256 over the timestamp then the raw body', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const body = Buffer.from('[{"event":"delivered"}]\r\n');
  const signature = sign('sha256', Buffer.concat([Buffer.from('1700000000'), body]), privateKey).toString('base64');
  assert.equal(validEventSignature(publicKey, '1700000000', body, signature), true);
  assert.equal(validEventSignature(publicKey, '1700000001', body, signature), false);
  assert.equal(validEventSignature(publicKey, '1700000000', Buffer.from('[]'), signature), false);
  for (const bad of [undefined, '', 'AAAA', ['x'], 'x'.repeat(500)]) assert.equal(validEventSignature(publicKey, '1700000000', body, bad), false);
  assert.equal(validEventSignature(publicKey, undefined, body, signature), false);
});
