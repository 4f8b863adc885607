import type { CallVoice } from './voices.js';

// XML 1.0 cannot carry these at all, escaped or not.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or an attribute value as XML: the five special characters escaped, impossible ones dropped. */
export function xml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const response = (verbs: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response>${verbs}</Response>`;

/** `text` said in the locale's voice. */
function say(text: string, v: CallVoice): string {
  const voice = v.voice ? ` voice="${xml(v.voice)}"` : '';
  return `<Say${voice} language="${xml(v.language)}">${xml(text)}</Say>`;
}

/** `text` twice with a pause between: the second time catches what the first lost. */
const twice = (text: string, v: CallVoice, pause: number): string => `${say(text, v)}<Pause length="${pause}"/>${say(text, v)}`;

/**
 * The call's script: a pause (the callee's "hello" would cover the start), then the localized
 * message, which reads the code digit by digit and once again (render's `call` template), said
 * twice with a pause between, in the locale's voice.
 */
export function callTwiml(message: string, v: CallVoice): string {
  return response(`<Pause length="1"/>${twice(message, v, 2)}`);
}

/** How long a key-press step waits after its prompt (Twilio's Gather default). */
export const GATHER_TIMEOUT_SECONDS = 5;

/**
 * A service's DtmfInputRequired: the call asks for a key first and carries no code. Any one key
 * (finishOnKey is off, so # and * count too) posts to `action`, which answers with the code;
 * without one Twilio goes on past the Gather, to the goodbye and the hang-up.
 */
export function gatherTwiml(prompt: string, goodbye: string, action: string, v: CallVoice): string {
  const gather = `<Gather input="dtmf" numDigits="1" finishOnKey="" timeout="${GATHER_TIMEOUT_SECONDS}" action="${xml(action)}" method="POST">${twice(prompt, v, 1)}</Gather>`;
  return response(`<Pause length="1"/>${gather}${say(goodbye, v)}<Hangup/>`);
}

/** The answer that says nothing: a key-press step whose code cannot or may no longer be read. */
export function hangupTwiml(): string {
  return response('<Hangup/>');
}
