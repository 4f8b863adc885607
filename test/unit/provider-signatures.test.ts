/**
 * The signatures of the Vonage and HTTP gateway providers, against vectors computed outside verifyd
 * (openssl dgst over the documented text), and the windows their timestamps must fall in; the
 * mapping of Vonage's answers to Twilio's statuses and codes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayHeaders, gatewaySignature, validGatewaySignature } from '../../src/channels/http-gateway/signature.js';
import { vonageReceiptError, vonageReceiptStatus, vonageSendError } from '../../src/channels/vonage/codes.js';
import { needsUnicode } from '../../src/channels/vonage/provider.js';
import { validVonageSignature, vonageSignature } from '../../src/channels/vonage/signature.js';

const T = 1_700_000_000;
const AT = T * 1000;

test('gateway: hex HMAC-SHA256 of "{timestamp}.{body}" with the secret', () => {
  const secret = 'gateway-shared-secret-0123456789';
  const body = '{"message_id":"m1","status":"delivered"}';
  const expected = '939c9edbc5b4c6bfc998f80b0569547dcd2ad24acb9dd99cc6ed30fde0b9622b';
  assert.equal(gatewaySignature(secret, String(T), body), expected);
  assert.deepEqual(gatewayHeaders(secret, body, AT + 999), { 'x-verifyd-timestamp': String(T), 'x-verifyd-signature': expected });

  assert.ok(validGatewaySignature(secret, String(T), expected, body, AT));
  assert.ok(validGatewaySignature(secret, String(T), expected.toUpperCase(), body, AT), 'hex in either case');
  assert.ok(validGatewaySignature(secret, String(T), expected, body, AT + 300_999), 'five minutes later');
  assert.ok(validGatewaySignature(secret, String(T), expected, body, AT - 300_000), 'five minutes early (clock skew)');
  assert.ok(!validGatewaySignature(secret, String(T), expected, body, AT + 301_000), 'too late');
  assert.ok(!validGatewaySignature(secret, String(T), expected, body, AT - 301_000), 'too early');
  assert.ok(!validGatewaySignature('another-secret', String(T), expected, body, AT));
  assert.ok(!validGatewaySignature(secret, String(T), expected, `${body} `, AT), 'the body exactly');
  assert.ok(!validGatewaySignature(secret, String(T + 1), expected, body, AT), 'the timestamp is signed');
  for (const [ts, sig] of [[undefined, expected], [String(T), undefined], [[String(T)], expected], ['17e8', expected], [String(T), expected.slice(1)], [String(T), '']] as const) {
    assert.ok(!validGatewaySignature(secret, ts, sig, body, AT), JSON.stringify([ts, sig]));
  }
});

test("vonage: Vonage's webhook signature for each method, sig left out, & and = in values as _", () => {
  const params = { b: 'x&y=z', a: '1', timestamp: String(T), messageId: '0B00000127FDBC63', sig: 'not signed' };
  const vectors = {
    sha256: '86309ed147749d138c84592432b86fabf01bec84fda21ffe015fb930059898d8',
    md5hash: 'dc4f967cee39e808e7c3ca3d2faa27db',
    sha512: 'cb6e8dbd68458ba7603f072aa451069df548d73922522398ad123c0743297f107a1ea6de87b9c397a70a44c1c1908a9fca8c9fec05bfcba0acf98912e422b9f8',
  } as const;
  for (const [method, sig] of Object.entries(vectors) as Array<[keyof typeof vectors, string]>) {
    assert.equal(vonageSignature(params, 'sig-secret', method), sig, method);
    assert.ok(validVonageSignature({ ...params, sig }, 'sig-secret', method, AT), method);
    assert.ok(validVonageSignature({ ...params, sig: sig.toUpperCase() }, 'sig-secret', method, AT), `${method} upper case`);
  }
  const sig = vectors.sha256;
  assert.ok(!validVonageSignature({ ...params, sig }, 'sig-secret', 'sha1', AT), 'another method');
  assert.ok(!validVonageSignature({ ...params, sig }, 'other', 'sha256', AT), 'another secret');
  assert.ok(!validVonageSignature({ ...params, a: '2', sig }, 'sig-secret', 'sha256', AT), 'a changed field');
  assert.ok(!validVonageSignature({ ...params, status: 'delivered', sig }, 'sig-secret', 'sha256', AT), 'an added field');
  assert.ok(!validVonageSignature({ ...params, sig: undefined as unknown as string }, 'sig-secret', 'sha256', AT), 'no sig');
  assert.ok(validVonageSignature({ ...params, sig }, 'sig-secret', 'sha256', AT + 300_000));
  assert.ok(!validVonageSignature({ ...params, sig }, 'sig-secret', 'sha256', AT + 301_000), 'stale');
  assert.ok(!validVonageSignature({ ...params, sig }, 'sig-secret', 'sha256', AT - 301_000), 'from the future');
});

test("vonage: statuses and error codes in Twilio's terms", () => {
  assert.deepEqual(['accepted', 'buffered', 'delivered', 'expired', 'failed', 'rejected', 'unknown', 'other'].map(vonageReceiptStatus), ['sent', 'sent', 'delivered', 'undelivered', 'undelivered', 'failed', null, null]);
  assert.equal(vonageReceiptError('delivered', '0'), null);
  assert.equal(vonageReceiptError('undelivered', '2'), 30003);
  assert.equal(vonageReceiptError('failed', '52'), 30007);
  assert.equal(vonageReceiptError('failed', '1234'), 30008);
  assert.equal(vonageReceiptError('undelivered', undefined), 30008);
  assert.deepEqual(['3', '4', '7', '12', '15', '29', '33', '42'].map(vonageSendError), [21211, 20003, 21610, 21617, 21212, 21608, 30005, 30008]);
  assert.ok(!needsUnicode('Your Acme code is 123456. {ok} €5 ÄÖÜ'));
  assert.ok(needsUnicode('Ваш код 123456'));
  assert.ok(needsUnicode('code 🙂'));
});
