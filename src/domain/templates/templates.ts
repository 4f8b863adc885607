/**
 * Verify templates (HJ…): an account's own SMS/voice wording, per locale. The operator creates them
 * with the CLI; GET /v2/Templates lists them; a start names one with TemplateSid, or its service
 * names one with DefaultTemplateSid. Twilio's rules: templates serve only sms and voice; a locale
 * without a translation falls back to the template's default one; `{{friendly_name}}`, `{{code}}`
 * and `{{ttl}}` are filled in by verifyd, any other `{{variable}}` comes from
 * TemplateCustomSubstitutions (60224 when missing).
 */
import type { Clock } from '../clock.js';
import { TwilioError, verifyInvalidParam } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import { canonicalLocale } from '../locale.js';
import type { PageQuery, TemplateFilter, TemplateStore } from '../ports.js';
import { TEMPLATE_CHANNELS, type TemplateChannel, type TemplateTranslation, type VerificationChannel, type VerificationTemplate } from '../types.js';

export interface TemplateDeps {
  store: TemplateStore;
  clock: Clock;
  ids: IdGenerator;
}

/** The variables verifyd fills in itself; every other one is the caller's to substitute. */
export const BUILT_IN_VARIABLES = ['friendly_name', 'code', 'ttl'] as const;

const VARIABLE = /\{\{\s*(\w+)\s*\}\}/g;

/** The variables a text uses, in order of first use. */
export function variablesOf(text: string): string[] {
  return [...new Set(Array.from(text.matchAll(VARIABLE), (m) => m[1] as string))];
}

/** Fills `{{name}}` placeholders in one pass: inserted values are never scanned again. */
export function fillVariables(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(VARIABLE, (match, name: string) => values[name] ?? match);
}

export interface TemplateInput {
  friendlyName: string;
  channels: string[];
  /** locale -> text, in the order given; the default translation is `en` if given, else the first. */
  texts: Array<{ locale: string; text: string }>;
}

// Twilio: "up to 32 characters"; a text is one SMS body at most (Twilio's 1600-character limit).
const MAX_NAME = 32;
const MAX_TEXT = 1600;

export async function createTemplate(deps: TemplateDeps, accountSid: string, input: TemplateInput): Promise<VerificationTemplate> {
  const name = input.friendlyName.trim();
  if (name.length === 0 || [...name].length > MAX_NAME || /[\p{Cc}\p{Cf}]/u.test(name)) throw verifyInvalidParam('FriendlyName');
  const channels = [...new Set(input.channels)];
  if (channels.length === 0 || !channels.every((c): c is TemplateChannel => (TEMPLATE_CHANNELS as readonly string[]).includes(c))) {
    throw verifyInvalidParam('Channels');
  }
  if (input.texts.length === 0) throw verifyInvalidParam('Text');
  const now = deps.clock.now().getTime();
  const translations: Record<string, TemplateTranslation> = {};
  for (const { locale, text } of input.texts) {
    const canonical = canonicalLocale(locale);
    if (canonical === undefined || translations[canonical]) throw verifyInvalidParam(`Text (locale ${JSON.stringify(locale)})`);
    // Line breaks are allowed (an SMS may have them); other control and bidi characters are not.
    if (text.trim().length === 0 || [...text].length > MAX_TEXT || /[\p{Cf}\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u.test(text)) {
      throw verifyInvalidParam(`Text (${canonical})`);
    }
    // A template that does not carry the code would send a message nobody can verify with.
    if (!variablesOf(text).includes('code')) throw new TwilioError(60200, `Invalid parameter: Text (${canonical}) must contain {{code}}`);
    translations[canonical] = { locale: canonical, text, status: 'approved', isDefault: false, dateCreated: now, dateUpdated: now };
  }
  const fallback = translations.en ?? Object.values(translations)[0]!;
  fallback.isDefault = true;
  const template: VerificationTemplate = { sid: deps.ids('HJ'), accountSid, friendlyName: name, channels, translations, dateCreated: now, dateUpdated: now };
  await deps.store.insertTemplate(template);
  return template;
}

export function listTemplates(deps: Pick<TemplateDeps, 'store'>, accountSid: string, filter: TemplateFilter, page: PageQuery): Promise<VerificationTemplate[]> {
  return deps.store.listTemplates(accountSid, filter, page);
}

export function deleteTemplate(deps: Pick<TemplateDeps, 'store'>, sid: string): Promise<boolean> {
  return deps.store.deleteTemplate(sid);
}

/** The account's template, or 60228 (unknown and other accounts' sids alike). */
export async function templateOf(store: TemplateStore, accountSid: string, sid: string): Promise<VerificationTemplate> {
  const template = await store.getTemplate(accountSid, sid);
  if (!template) throw new TwilioError(60228, `Template was not found: ${sid}`);
  return template;
}

/** The translation for a locale: its own, else its base language's (es-419 -> es), else the default one. */
export function translationFor(template: VerificationTemplate, locale: string): TemplateTranslation {
  const t = template.translations;
  const base = locale.split('-')[0] ?? '';
  return t[locale] ?? t[base] ?? Object.values(t).find((x) => x.isDefault) ?? t.en ?? Object.values(t)[0]!;
}

const TEMPLATE_CHANNEL_OF: Partial<Record<VerificationChannel, TemplateChannel>> = { sms: 'sms', call: 'voice' };

/** What a start sends with: the template's text for its locale, or null for verifyd's own wording. */
export interface ChosenTemplate {
  sid: string;
  locale: string;
  text: string;
}

/**
 * The template a start's message uses. An explicit TemplateSid must be the account's (60228) and,
 * on sms and call, list that channel (60227); the service's default template must exist too
 * (60228) but is only used on the channels it lists. Templates serve sms and voice only: on
 * email, WhatsApp and sna the message keeps verifyd's wording. Variables the text uses beyond the
 * built-in ones must be in TemplateCustomSubstitutions (60224). Checked before anything is stored.
 */
export async function chooseTemplate(
  store: TemplateStore,
  accountSid: string,
  start: { explicitSid: string | null; defaultSid: string | null; channel: VerificationChannel; locale: string; substitutions: Record<string, unknown> | null },
): Promise<ChosenTemplate | null> {
  const sid = start.explicitSid ?? start.defaultSid;
  if (sid === null) return null;
  const template = await templateOf(store, accountSid, sid);
  const wanted = TEMPLATE_CHANNEL_OF[start.channel];
  if (wanted === undefined) return null;
  if (!template.channels.includes(wanted)) {
    if (start.explicitSid !== null) throw new TwilioError(60227, `The selected channel for template is not supported: ${start.channel}`);
    return null;
  }
  const translation = translationFor(template, start.locale);
  const missing = variablesOf(translation.text).filter(
    (v) => !(BUILT_IN_VARIABLES as readonly string[]).includes(v) && typeof start.substitutions?.[v] !== 'string' && typeof start.substitutions?.[v] !== 'number',
  );
  if (missing.length > 0) throw new TwilioError(60224, `Missing substitutions for selected template: ${missing.join(', ')}`);
  return { sid: template.sid, locale: translation.locale, text: translation.text };
}
