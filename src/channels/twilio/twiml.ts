import type { CallVoice } from './voices.js';

// XML 1.0 cannot carry these at all, escaped or not.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text or an attribute value as XML: the five special characters escaped, impossible ones dropped. */
export function xml(text: string): string {
  return text.replace(NOT_XML, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * The call's script: a pause (the callee's "hello" would cover the start), then the localized
 * message, which reads the code digit by digit and once again (render's `call` template), said
 * twice with a pause between, in the locale's voice.
 */
export function callTwiml(message: string, v: CallVoice): string {
  const voice = v.voice ? ` voice="${xml(v.voice)}"` : '';
  const say = `<Say${voice} language="${xml(v.language)}">${xml(message)}</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>${say}<Pause length="2"/>${say}</Response>`;
}
