import type { AttemptSummary } from '../../domain/attempts/attempts.js';
import type { SendAttempt } from '../../domain/types.js';
import { iso } from './time.js';

/**
 * A call's status as the spec's call_status enum has it: the inbox "answers" every call
 * (`completed`), a provider that took it has it `queued`, and one that could not place it `failed`.
 */
const CALL_STATUS: Record<string, string> = { delivered: 'completed', sent: 'queued', undelivered: 'failed' };

/**
 * verifyd's own channel_data keys (docs/wire-decisions.md): the provider that took the message and
 * every provider tried, in order. channel_data is a free-form object in the spec, so SDKs pass
 * them through.
 */
function delivery(a: SendAttempt): Record<string, unknown> {
  return {
    provider: a.provider,
    tries: a.tries.map((t) => ({ provider: t.provider, result: t.result, error_code: t.errorCode === null ? null : String(t.errorCode), date_created: iso(t.at) })),
  };
}

/** Calls report a call status; other channels report a message status. */
function channelData(a: SendAttempt): Record<string, unknown> {
  const common = { verification_sid: a.verificationSid, to: a.to, status: a.attemptStatus };
  const errorCode = a.errorCode === null ? null : String(a.errorCode);
  if (a.channel === 'email') {
    return { ...common, message_status: a.messageStatus, error_code: errorCode, code_length: a.codeLength, locale: a.locale, ...delivery(a) };
  }
  const status = a.channel === 'call'
    ? { call_status: CALL_STATUS[a.messageStatus] ?? a.messageStatus }
    : { message_status: a.messageStatus };
  return {
    ...common,
    ...status,
    error_code: errorCode,
    country: a.country,
    code_length: a.codeLength,
    locale: a.locale,
    mcc: a.mcc,
    mnc: a.mnc,
    carrier: a.carrier,
    ...delivery(a),
  };
}

export function serializeAttempt(a: SendAttempt, baseUrl: string): Record<string, unknown> {
  return {
    sid: a.sid,
    account_sid: a.accountSid,
    service_sid: a.serviceSid,
    verification_sid: a.verificationSid,
    date_created: iso(a.dateCreated),
    date_updated: iso(a.dateUpdated),
    conversion_status: a.converted ? 'converted' : 'unconverted',
    channel: a.channel,
    price: a.price,
    channel_data: channelData(a),
    url: `${baseUrl}/v2/Attempts/${a.sid}`,
  };
}

export function serializeSummary(s: AttemptSummary, baseUrl: string): Record<string, unknown> {
  return {
    total_attempts: s.totalAttempts,
    total_converted: s.totalConverted,
    total_unconverted: s.totalUnconverted,
    conversion_rate_percentage: s.conversionRatePercentage,
    url: `${baseUrl}/v2/Attempts/Summary`,
  };
}
