import type { CheckResult } from '../../domain/verification/check.js';
import type { CarrierInfo } from '../../domain/ports/lookup.js';
import type { VerificationChannel, SendAttempt, Verification } from '../../domain/types.js';
import { iso } from './time.js';

/**
 * send_code_attempts[].channel follows the spec examples, which upper-case the classic channels
 * ("SMS", "EMAIL", "CALL") and keep "whatsapp" and "sna" lower-case (docs/wire-decisions.md).
 */
const ATTEMPT_CHANNEL: Record<VerificationChannel, string> = { sms: 'SMS', email: 'EMAIL', call: 'CALL', whatsapp: 'whatsapp', sna: 'sna' };

/** `{}` without a lookup (Twilio's answer when lookup is off); else the carrier in the spec example's field order. */
function serializeLookup(c: CarrierInfo | null): Record<string, unknown> {
  if (c === null) return {};
  return {
    carrier: {
      mobile_country_code: c.mobileCountryCode,
      type: c.type,
      error_code: c.errorCode,
      mobile_network_code: c.mobileNetworkCode,
      name: c.name,
    },
  };
}

export function serializeVerification(
  v: Verification,
  sends: SendAttempt[],
  snaUrl: string | null,
  baseUrl: string,
): Record<string, unknown> {
  return {
    sid: v.sid,
    service_sid: v.serviceSid,
    account_sid: v.accountSid,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === 'approved',
    date_created: iso(v.dateCreated),
    date_updated: iso(v.dateUpdated),
    lookup: serializeLookup(v.lookup),
    amount: v.amount,
    payee: v.payee,
    send_code_attempts: sends.map((s) => ({ time: iso(s.dateCreated), channel: ATTEMPT_CHANNEL[s.channel], attempt_sid: s.sid })),
    sna: v.channel === 'sna' && snaUrl !== null ? { url: snaUrl } : null,
    url: `${baseUrl}/v2/Services/${v.serviceSid}/Verifications/${v.sid}`,
  };
}

export function serializeCheck({ verification: v, snaErrors }: CheckResult): Record<string, unknown> {
  return {
    sid: v.sid,
    service_sid: v.serviceSid,
    account_sid: v.accountSid,
    to: v.to,
    channel: v.channel,
    status: v.status,
    valid: v.status === 'approved',
    amount: v.amount,
    payee: v.payee,
    sna_attempts_error_codes: snaErrors === null ? null : snaErrors.map((e) => ({ attempt_sid: e.attemptSid, code: e.code })),
    date_created: iso(v.dateCreated),
    date_updated: iso(v.dateUpdated),
  };
}
