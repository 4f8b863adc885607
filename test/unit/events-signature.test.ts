/**
 * X-Twilio-Signature for Event Streams webhooks (src/events/signature.ts) against the official
 * twilio-node test vectors (contract §7), and against the official SDK's own validator, which is
 * what receivers run: it must accept what verifyd signs and reject any change to body or URL.
 * The form signature (status callbacks verifyd receives from Twilio providers) against the SDK's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import twilio from 'twilio';
import { signFormRequest, signJsonRequest, validFormSignature } from '../../src/events/signature.js';

const TOKEN = '12345';
const URL_WITH_QUERY = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const URL_PLAIN = 'https://mycompany.com/myapp.php';
const BODY = '{"property": "value", "boolean": true}';
const BODY_HASH = '0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620';
const EMPTY_HASH = '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

test('official vector: URL with a query gets &bodySHA256=… and the documented signature', () => {
  const signed = signJsonRequest(TOKEN, URL_WITH_QUERY, BODY);
  assert.equal(signed.url, `${URL_WITH_QUERY}&bodySHA256=${BODY_HASH}`);
  assert.equal(signed.signature, 'a9nBmqA0ju/hNViExpshrM61xv4=');
});

test('official vector: body {} on the query URL', () => {
  const signed = signJsonRequest(TOKEN, URL_WITH_QUERY, '{}');
  assert.equal(signed.url, `${URL_WITH_QUERY}&bodySHA256=${EMPTY_HASH}`);
  assert.equal(signed.signature, 'rw/jVviOgicj2+kHZULvebnA4ag=');
});

test('official vector: URL without a query gets ?bodySHA256=…', () => {
  const signed = signJsonRequest(TOKEN, URL_PLAIN, BODY);
  assert.equal(signed.url, `${URL_PLAIN}?bodySHA256=${BODY_HASH}`);
  assert.equal(signed.signature, 'y77kIzt2vzLz71DgmJGsen2scGs=');
});

test('the SDK helpers agree: getExpectedBodyHash and getExpectedTwilioSignature with no params', () => {
  const signed = signJsonRequest(TOKEN, URL_WITH_QUERY, BODY);
  assert.equal(twilio.getExpectedBodyHash(BODY), BODY_HASH);
  assert.equal(twilio.getExpectedTwilioSignature(TOKEN, signed.url, {}), signed.signature);
});

test('validateRequestWithBody accepts what verifyd signs, for several URLs and bodies', () => {
  const bodies = [BODY, '{}', '[]', JSON.stringify([{ id: 'NO1', data: { to: '+15017122661', name: 'Zoë ✓' } }])];
  const urls = [URL_PLAIN, URL_WITH_QUERY, 'http://127.0.0.1:8080/hook', 'https://example.com/a/b?x=%20y&z=1'];
  for (const url of urls) {
    for (const body of bodies) {
      const s = signJsonRequest(TOKEN, url, body);
      assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url, body), true, `${url} ${body}`);
    }
  }
});

test('validateRequestWithBody rejects a changed body, URL, token or signature', () => {
  const s = signJsonRequest(TOKEN, URL_WITH_QUERY, BODY);
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url, BODY), true);
  // The body no longer matches bodySHA256.
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url, BODY.replace('value', 'other')), false);
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url, `${BODY} `), false);
  // The URL differs in path, query or host.
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url.replace('myapp.php', 'other.php'), BODY), false);
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url.replace('foo=1', 'foo=2'), BODY), false);
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, s.url.replace('mycompany.com', 'evil.com'), BODY), false);
  // A body hash swapped in the URL together with the body does not match the signature.
  const other = '{"property": "forged"}';
  const forgedUrl = `${URL_WITH_QUERY}&bodySHA256=${twilio.getExpectedBodyHash(other)}`;
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature, forgedUrl, other), false);
  // Another account's token, or a mangled signature.
  assert.equal(twilio.validateRequestWithBody('54321', s.signature, s.url, BODY), false);
  assert.equal(twilio.validateRequestWithBody(TOKEN, s.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')), s.url, BODY), false);
});

test('form signature: the SDK signature of URL + sorted parameters, repeated ones included', () => {
  const url = 'https://verifyd.example/callbacks/twilio/main/calls?x=1';
  const params = { CallStatus: 'ringing', CallSid: 'CA1', StatusCallbackEvent: ['ringing', 'initiated', 'ringing'], AccountSid: 'AC1' };
  const expected = twilio.getExpectedTwilioSignature(TOKEN, url, params);
  assert.equal(signFormRequest(TOKEN, url, params), expected);
  assert.ok(validFormSignature(TOKEN, expected, url, params));
  assert.ok(twilio.validateRequest(TOKEN, signFormRequest(TOKEN, url, params), url, params));
  assert.equal(validFormSignature(TOKEN, expected, url, { ...params, CallStatus: 'completed' }), false);
  assert.equal(validFormSignature(TOKEN, expected, url.replace('x=1', 'x=2'), params), false);
  assert.equal(validFormSignature('other', expected, url, params), false);
  assert.equal(validFormSignature(TOKEN, '', url, params), false);
});
