/**
 * The parts of a start that decide without the store: which channel, which destination, whether
 * the service allows what was asked, which code a resend carries, and what is handed to the sender.
 */
import { parseEmail, parsePhone } from '../address.js';
import { CodeKeyring } from '../code/keys.js';
import { validateFriendlyName } from '../service/service.js';
import { TwilioError, verifyInvalidParam } from '../errors.js';
import { canonicalLocale, resolveLocale } from '../locale.js';
import type { VerificationChannel, RequestChannel, SendAttempt, Service, StartOptions, Verification } from '../types.js';
import type { ChosenTemplate } from '../templates/templates.js';
import type { CodeChannel, SendRequest } from './sending.js';

export interface StartInput {
  to: string;
  channel: RequestChannel;
  customCode: string | null;
  amount: string | null;
  payee: string | null;
  options: StartOptions;
}

/** A start's request checked against its service, before anything is stored. */
export interface PreparedStart {
  channel: VerificationChannel;
  /** The destination in canonical form (E.164, or the email address as parsed). */
  to: string;
  country: string | null;
  locale: string;
}

/** Whether a channel has a provider here; a start on one that has none answers 60223. */
export type ChannelEnabled = (channel: VerificationChannel) => boolean;

const EVERY_CHANNEL: ChannelEnabled = () => true;

/** Checks in the order Twilio reports them: channel and `To` first, then features, then `Locale`. */
export function prepareStart(service: Service, input: StartInput, enabled: ChannelEnabled = EVERY_CHANNEL): PreparedStart {
  const channel = resolveChannel(input, enabled);
  if (!enabled(channel)) throw new TwilioError(60223);
  const { to, country } = validateTarget(channel, input.to);
  validateFeatures(service, channel, input);
  const requested = input.options.locale;
  if (requested !== null && canonicalLocale(requested) === undefined) throw verifyInvalidParam('Locale');
  return { channel, to, country, locale: resolveLocale(requested ?? undefined, country ?? undefined) };
}

function resolveChannel(input: StartInput, enabled: ChannelEnabled): VerificationChannel {
  if (input.channel !== 'auto') return input.channel;
  // Without a device IP there is no network to authenticate silently, and without an SNA provider
  // nobody to ask, so SMS is the only choice.
  return input.options.deviceIp && enabled('sna') ? 'sna' : 'sms';
}

function validateTarget(channel: VerificationChannel, to: string): { to: string; country: string | null } {
  if (channel === 'email') return { to: parseEmail(to), country: null };
  const phone = parsePhone(to);
  return { to: phone.e164, country: phone.country };
}

function validateFeatures(service: Service, channel: VerificationChannel, input: StartInput): void {
  if (input.options.customMessage !== null) throw new TwilioError(60243);
  // It replaces the service's name in the message, so it follows the same rules: no line breaks,
  // control or bidi characters can reach a rendered message or a mail header through it.
  if (input.options.customFriendlyName !== null) validateFriendlyName(input.options.customFriendlyName, 'CustomFriendlyName');
  if (input.customCode !== null) {
    if (!service.config.customCodeEnabled) throw new TwilioError(60204);
    if (input.customCode.length < 4 || input.customCode.length > 10) throw verifyInvalidParam('CustomCode');
  }
  if (service.config.psd2Enabled) {
    if (!input.amount || !input.payee) throw new TwilioError(60206);
    if (channel === 'call') throw new TwilioError(60214);
  }
}

/**
 * The same code goes out again. A custom code belongs to the caller, so a resend of a custom-code
 * verification must bring it (and may replace it); a generated code is derived again from its seed.
 * Updates `v`'s code fields when the code changes.
 */
export function resendCode(keys: CodeKeyring, v: Verification, customCode: string | null): string {
  if (customCode !== null) {
    v.codeKeyId = keys.current.id;
    v.codeSeed = null;
    v.codeHash = keys.hash(v.codeKeyId, v.sid, customCode)!;
    v.customCode = true;
    v.codeLength = customCode.length;
    return customCode;
  }
  if (v.customCode || v.codeSeed === null) throw verifyInvalidParam('CustomCode');
  const code = keys.deriveCode(v.codeKeyId, v.codeSeed, v.codeLength);
  if (code !== undefined) return code;
  // The key that issued this code was rotated out: issue a fresh code under the current key.
  v.codeKeyId = keys.current.id;
  v.codeSeed = CodeKeyring.newSeed();
  const fresh = keys.deriveCode(v.codeKeyId, v.codeSeed, v.codeLength)!;
  v.codeHash = keys.hash(v.codeKeyId, v.sid, fresh)!;
  return fresh;
}

/** One code to send: the attempt it belongs to, on a channel that sends something. */
export interface CodeToSend {
  verification: Verification;
  attempt: SendAttempt;
  channel: CodeChannel;
  code: string;
}

/** What the sender gets for one attempt: the start's options in force, the service's defaults under them. */
export function sendRequest(service: Service, send: CodeToSend, options: StartOptions, ttlMs: number, template: ChosenTemplate | null = null): SendRequest {
  const { verification: v, attempt, channel, code } = send;
  return {
    accountSid: v.accountSid,
    serviceSid: v.serviceSid,
    verificationSid: v.sid,
    attemptSid: attempt.sid,
    channel,
    to: attempt.to,
    country: attempt.country,
    locale: attempt.locale,
    code,
    friendlyName: options.customFriendlyName ?? service.friendlyName,
    doNotShareWarning: service.config.doNotShareWarningEnabled,
    appHash: options.appHash,
    amount: v.amount,
    payee: v.payee,
    sendDigits: options.sendDigits,
    templateSid: options.templateSid ?? service.config.defaultTemplateSid,
    templateText: template?.text ?? null,
    templateSubstitutions: options.templateCustomSubstitutions,
    channelConfiguration: options.channelConfiguration,
    whatsapp: { from: service.config.whatsapp.from, msgServiceSid: service.config.whatsapp.msgServiceSid },
    ttsName: service.config.ttsName,
    dtmfInputRequired: service.config.dtmfInputRequired,
    expiresAt: v.expiresAt,
    ttlMinutes: Math.round(ttlMs / 60_000),
  };
}
