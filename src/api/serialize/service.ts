import type { Service } from '../../domain/types.js';
import { iso } from './time.js';

export function serializeService(s: Service, baseUrl: string): Record<string, unknown> {
  const url = `${baseUrl}/v2/Services/${s.sid}`;
  const c = s.config;
  return {
    sid: s.sid,
    account_sid: s.accountSid,
    friendly_name: s.friendlyName,
    code_length: c.codeLength,
    lookup_enabled: c.lookupEnabled,
    psd2_enabled: c.psd2Enabled,
    skip_sms_to_landlines: c.skipSmsToLandlines,
    dtmf_input_required: c.dtmfInputRequired,
    tts_name: c.ttsName,
    do_not_share_warning_enabled: c.doNotShareWarningEnabled,
    custom_code_enabled: c.customCodeEnabled,
    push: { include_date: c.push.includeDate, apn_credential_sid: c.push.apnCredentialSid, fcm_credential_sid: c.push.fcmCredentialSid },
    totp: { issuer: c.totp.issuer, time_step: c.totp.timeStep, code_length: c.totp.codeLength, skew: c.totp.skew },
    whatsapp: { msg_service_sid: c.whatsapp.msgServiceSid, from: c.whatsapp.from },
    passkeys: {
      relying_party: { id: c.passkeys.relyingParty.id, name: c.passkeys.relyingParty.name, origins: c.passkeys.relyingParty.origins },
      authenticator_attachment: c.passkeys.authenticatorAttachment,
      discoverable_credentials: c.passkeys.discoverableCredentials,
      user_verification: c.passkeys.userVerification,
    },
    default_template_sid: c.defaultTemplateSid,
    verify_event_subscription_enabled: c.verifyEventSubscriptionEnabled,
    date_created: iso(s.dateCreated),
    date_updated: iso(s.dateUpdated),
    url,
    links: {
      verification_checks: `${url}/VerificationCheck`,
      verifications: `${url}/Verifications`,
      rate_limits: `${url}/RateLimits`,
      messaging_configurations: `${url}/MessagingConfigurations`,
      entities: `${url}/Entities`,
      webhooks: `${url}/Webhooks`,
      access_tokens: `${url}/AccessTokens`,
    },
  };
}
