import { TwilioError } from '../../domain/errors.js';
import type { ServicePatch } from '../../domain/service/service.js';
import type { Params } from '../params.js';

const ATTACHMENT = ['', 'platform', 'cross-platform', 'any'] as const;
const PREFERENCE = ['', 'required', 'preferred', 'discouraged'] as const;

/**
 * Free-text service fields and the most characters each may have. TtsName's 64 and FriendlyName's
 * 30 (checked with its other rules in the domain) are Twilio's; Twilio documents none for the
 * others, so these are verifyd's (docs/wire-decisions.md): a DNS name's 253 for the relying party
 * id, 64 for names and senders, 2048 for the comma-separated origins.
 */
const TEXT_CAPS: Record<string, number> = {
  TtsName: 64,
  'Totp.Issuer': 64,
  'Whatsapp.From': 64,
  'Passkeys.RelyingParty.Id': 253,
  'Passkeys.RelyingParty.Name': 64,
  'Passkeys.RelyingParty.Origins': 2048,
};

function refuseLongText(p: Params): void {
  for (const [name, max] of Object.entries(TEXT_CAPS)) {
    const v = p.str(name);
    if (v !== undefined && [...v].length > max) throw new TwilioError(60200, `${name} is too long (max ${max} characters)`);
  }
}

/** Maps the PascalCase (and dotted) service parameters onto a domain patch. */
export function readServicePatch(p: Params): ServicePatch {
  refuseLongText(p);
  const origins = p.str('Passkeys.RelyingParty.Origins');
  const patch: ServicePatch = {
    friendlyName: p.str('FriendlyName'),
    codeLength: p.int('CodeLength'),
    lookupEnabled: p.bool('LookupEnabled'),
    skipSmsToLandlines: p.bool('SkipSmsToLandlines'),
    dtmfInputRequired: p.bool('DtmfInputRequired'),
    ttsName: p.str('TtsName'),
    psd2Enabled: p.bool('Psd2Enabled'),
    doNotShareWarningEnabled: p.bool('DoNotShareWarningEnabled'),
    customCodeEnabled: p.bool('CustomCodeEnabled'),
    push: {
      includeDate: p.bool('Push.IncludeDate'),
      apnCredentialSid: p.sid('Push.ApnCredentialSid', 'CR'),
      fcmCredentialSid: p.sid('Push.FcmCredentialSid', 'CR'),
    },
    totp: {
      issuer: p.str('Totp.Issuer'),
      timeStep: p.int('Totp.TimeStep'),
      codeLength: p.int('Totp.CodeLength'),
      skew: p.int('Totp.Skew'),
    },
    defaultTemplateSid: p.sid('DefaultTemplateSid', 'HJ'),
    whatsapp: {
      msgServiceSid: p.sid('Whatsapp.MsgServiceSid', 'MG'),
      from: p.str('Whatsapp.From'),
    },
    passkeys: {
      relyingParty: {
        id: p.str('Passkeys.RelyingParty.Id'),
        name: p.str('Passkeys.RelyingParty.Name'),
        origins: origins === undefined ? undefined : origins.split(',').map((o) => o.trim()).filter(Boolean),
      },
      authenticatorAttachment: p.oneOf('Passkeys.AuthenticatorAttachment', ATTACHMENT),
      discoverableCredentials: p.oneOf('Passkeys.DiscoverableCredentials', PREFERENCE),
      userVerification: p.oneOf('Passkeys.UserVerification', PREFERENCE),
    },
    verifyEventSubscriptionEnabled: p.bool('VerifyEventSubscriptionEnabled'),
  };
  return patch;
}
