/**
 * The call script's TwiML: text and attribute values are escaped, characters XML cannot carry are
 * dropped, and the locale picks the voice (a service's tts_name replaces it, not the language).
 * A key-press step (DtmfInputRequired) asks for one key before the code, whose message travels
 * sealed in the action URL and opens only for its attempt, under a key verifyd has, before expiry.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callPrompts } from '../../src/channels/render/index.js';
import { openSpokenCode, sealSpokenCode } from '../../src/channels/twilio/gather.js';
import { callTwiml, gatherTwiml, hangupTwiml, xml } from '../../src/channels/twilio/twiml.js';
import { callVoice } from '../../src/channels/twilio/voices.js';
import { CodeKeyring } from '../../src/domain/code/keys.js';

test('text and attributes are escaped; characters XML cannot carry are dropped', () => {
  assert.equal(xml(`R&D <Ops> "it's"\u0007`), 'R&amp;D &lt;Ops&gt; &quot;it&apos;s&quot;');
  const doc = callTwiml('Code 1, 2 & 3 <now>', { voice: 'Polly."x"', language: 'en-US' });
  assert.equal(
    doc,
    '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>' +
      '<Say voice="Polly.&quot;x&quot;" language="en-US">Code 1, 2 &amp; 3 &lt;now&gt;</Say><Pause length="2"/>' +
      '<Say voice="Polly.&quot;x&quot;" language="en-US">Code 1, 2 &amp; 3 &lt;now&gt;</Say></Response>',
  );
});

test('a voice without a name says only the language', () => {
  assert.match(callTwiml('hi', { voice: null, language: 'hr-HR' }), /<Say language="hr-HR">hi<\/Say>/);
});

test('the voice follows the locale, its base language, then English; tts_name replaces the voice only', () => {
  assert.deepEqual(callVoice('es', null), { voice: 'Polly.Lucia', language: 'es-ES' });
  assert.deepEqual(callVoice('pt-BR', null), { voice: 'Polly.Camila', language: 'pt-BR' });
  assert.deepEqual(callVoice('es-MX', null), { voice: 'Polly.Lucia', language: 'es-ES' });
  assert.deepEqual(callVoice('xx', null), { voice: 'Polly.Joanna', language: 'en-US' });
  assert.deepEqual(callVoice('de', 'Polly.Hans'), { voice: 'Polly.Hans', language: 'de-DE' });
});

test('a key-press step: one key of any kind posts to the escaped action URL; the prompt twice inside, a goodbye and a hang-up after', () => {
  const doc = gatherTwiml('Press a key', 'Bye', 'https://v.example/callbacks/twilio/t/calls/gather?a=VL1&k=k1&c=x-y_z', { voice: null, language: 'en-US' });
  assert.equal(
    doc,
    '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>' +
      '<Gather input="dtmf" numDigits="1" finishOnKey="" timeout="5" action="https://v.example/callbacks/twilio/t/calls/gather?a=VL1&amp;k=k1&amp;c=x-y_z" method="POST">' +
      '<Say language="en-US">Press a key</Say><Pause length="1"/><Say language="en-US">Press a key</Say></Gather>' +
      '<Say language="en-US">Bye</Say><Hangup/></Response>',
  );
  assert.equal(hangupTwiml(), '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
});

test("the key-press prompts in the locale's words, its base language's, else English", () => {
  assert.deepEqual(callPrompts({ locale: 'es-MX', friendlyName: 'Acme' }), {
    pressKey: 'Te llamamos de Acme. Pulsa cualquier tecla para escuchar tu código de verificación.',
    goodbye: 'No se ha pulsado ninguna tecla. Adiós.',
  });
  assert.deepEqual(callPrompts({ locale: 'xx', friendlyName: 'Acme' }), callPrompts({ locale: 'en', friendlyName: 'Acme' }));
  assert.equal(callPrompts({ locale: 'ja', friendlyName: 'Acme' }).pressKey, 'こちらはAcmeです。認証コードをお聞きになるには、いずれかのキーを押してください。');
  assert.equal(callPrompts({ locale: 'en-GB', friendlyName: 'Acme' }).pressKey, 'This is Acme. Press any key to hear your verification code.');
});

test('the sealed message opens for its attempt and key until the expiry, and for nothing else', () => {
  const keys = new CodeKeyring([{ id: 'k1', secret: Buffer.alloc(32, 1) }]);
  const voice = { voice: 'Polly.Lucia', language: 'es-ES' };
  const q = sealSpokenCode(keys, 'VL1', { message: 'Tu código es 1, 2, 3', voice, expiresAt: 1000 });
  assert.equal(q.a, 'VL1');
  assert.ok(!q.c.includes('1, 2, 3'));
  assert.deepEqual(openSpokenCode(keys, q, 999), { message: 'Tu código es 1, 2, 3', voice });
  assert.equal(openSpokenCode(keys, q, 1000), undefined, 'expired');
  assert.equal(openSpokenCode(keys, { ...q, a: 'VL2' }, 0), undefined, 'another attempt');
  assert.equal(openSpokenCode(keys, { ...q, k: 'k2' }, 0), undefined, 'a key verifyd does not have');
  const flip = q.c[10] === 'A' ? 'B' : 'A';
  assert.equal(openSpokenCode(keys, { ...q, c: `${q.c.slice(0, 10)}${flip}${q.c.slice(11)}` }, 0), undefined, 'tampered');
  assert.equal(openSpokenCode(keys, { a: 'VL1', k: 'k1', c: ['x'] }, 0), undefined, 'a repeated parameter');
  // A code the send queue sealed for the same attempt (bound to the bare attempt sid) does not open here.
  const queued = keys.seal('482913', 'VL1');
  assert.equal(openSpokenCode(keys, { a: 'VL1', k: queued.keyId, c: queued.sealed }, 0), undefined);
  // Sealed under a key since rotated to second place, it still opens.
  const rotated = new CodeKeyring([{ id: 'k2', secret: Buffer.alloc(32, 2) }, { id: 'k1', secret: Buffer.alloc(32, 1) }]);
  assert.equal(openSpokenCode(rotated, q, 0)?.message, 'Tu código es 1, 2, 3');
});
