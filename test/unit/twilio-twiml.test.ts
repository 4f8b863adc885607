/**
 * The call script's TwiML: text and attribute values are escaped, characters XML cannot carry are
 * dropped, and the locale picks the voice (a service's tts_name replaces it, not the language).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTwiml, xml } from '../../src/channels/twilio/twiml.js';
import { callVoice } from '../../src/channels/twilio/voices.js';

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
