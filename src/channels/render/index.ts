import { canonicalLocale } from '../../domain/locale.js';
import type { CodeChannel } from '../../domain/verification/sending.js';
import { fillVariables } from '../../domain/templates/templates.js';
import { EN, TEMPLATES, type Template } from './templates.js';

export type RenderChannel = CodeChannel;

export interface RenderInput {
  channel: RenderChannel;
  locale: string;
  friendlyName: string;
  code: string;
  doNotShareWarning: boolean;
  appHash?: string | null;
  amount?: string | null;
  payee?: string | null;
  sendDigits?: string | null;
  ttlMinutes: number;
  /** The account's template text for this locale (sms and call only), which replaces verifyd's wording. */
  templateText?: string | null;
  /** TemplateCustomSubstitutions: values for the template's own `{{variables}}`. */
  templateSubstitutions?: Record<string, unknown> | null;
}

/** verifyd's own wording of a message; `sendDigits` are the DTMF tones a call plays first. */
export interface Rendering {
  subject: string | null;
  body: string;
  sendDigits: string | null;
}

// Unknown tags fall back to their base language (es-MX -> es), then English.
function templateFor(locale: string): Partial<Template> {
  const exact = canonicalLocale(locale);
  if (exact) return TEMPLATES[exact] ?? EN;
  const base = canonicalLocale(locale.split('-')[0] ?? '');
  return (base && TEMPLATES[base]) || EN;
}

function pick(t: Partial<Template>, key: keyof Template): string {
  return t[key] ?? EN[key];
}

// One pass with a replacer function: inserted values are never re-scanned
// for placeholders, and `$&`-style sequences in them stay literal.
function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => vars[key] ?? match);
}

// Text-to-speech reads "1234" as a number; separated digits are read one by one.
function spell(code: string): string {
  return Array.from(code).join(', ');
}

/**
 * Amount and Payee are the caller's free text (PSD2): control, line-break and bidi-override
 * characters are dropped before they reach a message, so they cannot break a line or a header, or
 * make the text read in another order than it is written.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '');
}

/**
 * A Verify template's text with its variables filled: the caller's substitutions (free text, so
 * made printable) under verifyd's own, which they cannot replace. The template is the whole
 * message: no do-not-share sentence is appended (Twilio's templates carry their own), though an
 * SMS still gets the App Hash framing, and a call reads the code digit by digit.
 */
function renderTemplate(input: RenderInput, text: string): Rendering {
  const custom = Object.entries(input.templateSubstitutions ?? {}).map(([k, v]) => [k, printable(String(v))]);
  const code = input.channel === 'call' ? spell(input.code) : input.code;
  let body = fillVariables(text, { ...Object.fromEntries(custom), friendly_name: input.friendlyName, code, ttl: String(input.ttlMinutes) });
  if (input.channel === 'sms' && input.appHash) body = `<#> ${body} ${input.appHash}`;
  return { subject: null, body, sendDigits: input.channel === 'call' ? (input.sendDigits ?? null) : null };
}

export function render(input: RenderInput): Rendering {
  // Templates serve sms and voice only (the domain hands a text over for those alone).
  if (input.templateText && (input.channel === 'sms' || input.channel === 'call')) return renderTemplate(input, input.templateText);
  const t = templateFor(input.locale);
  const psd2 = Boolean(input.amount && input.payee);
  const vars = {
    name: input.friendlyName,
    code: input.code,
    amount: printable(input.amount ?? ''),
    payee: printable(input.payee ?? ''),
    minutes: String(input.ttlMinutes),
  };
  const sentence = pick(t, psd2 ? 'psd2' : 'sms');

  switch (input.channel) {
    case 'sms': {
      let body = fill(sentence, vars);
      if (input.doNotShareWarning) body += ' ' + pick(t, 'warning');
      if (input.appHash) body = `<#> ${body} ${input.appHash}`;
      return { subject: null, body, sendDigits: null };
    }
    case 'whatsapp':
      return { subject: null, body: fill(sentence, vars), sendDigits: null };
    case 'call': {
      const spoken = { ...vars, code: spell(input.code) };
      const body = fill(pick(t, 'call'), { ...spoken, message: fill(sentence, spoken) });
      return { subject: null, body, sendDigits: input.sendDigits ?? null };
    }
    case 'email':
      return {
        subject: fill(pick(t, 'emailSubject'), vars),
        body: fill(pick(t, 'emailBody'), vars),
        sendDigits: null,
      };
  }
}

/** A call's key-press step in the locale's words (English where the locale has none): the prompt, and what is said when no key came. */
export function callPrompts(input: Pick<RenderInput, 'locale' | 'friendlyName'>): { pressKey: string; goodbye: string } {
  const t = templateFor(input.locale);
  return { pressKey: fill(pick(t, 'callPressKey'), { name: input.friendlyName }), goodbye: pick(t, 'callGoodbye') };
}

/**
 * The variables Twilio's e-mail integration offers a SendGrid template, in the locale's wording:
 * the code alone, the sentence with it, the sentence up to it, and the service's name. The
 * sentence is the first paragraph of the e-mail body; where a language puts the code mid-sentence
 * (ja, ko) the part before it is the sentence "without code".
 */
export interface EmailVariables {
  twilio_code: string;
  twilio_message: string;
  twilio_message_without_code: string;
  twilio_service_name: string;
}

export function emailVariables(input: Pick<RenderInput, 'locale' | 'friendlyName' | 'code'>): EmailVariables {
  const sentence = pick(templateFor(input.locale), 'emailBody').split('\n\n')[0] ?? '';
  const vars = { name: input.friendlyName, code: input.code };
  const before = sentence.slice(0, Math.max(0, sentence.indexOf('{code}')));
  return {
    twilio_code: input.code,
    twilio_message: fill(sentence, vars),
    twilio_message_without_code: fill(before, vars).replace(/[\s:：]+$/u, ''),
    twilio_service_name: input.friendlyName,
  };
}
