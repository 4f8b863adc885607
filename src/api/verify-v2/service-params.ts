import { verifyInvalidParam } from '../../domain/errors.js';
import type { ServicePatch } from '../../domain/service/service.js';
import type { Params } from '../params.js';

const ATTACHMENT = ['', 'platform', 'cross-platform', 'any'] as const;
const PREFERENCE = ['', 'required', 'preferred', 'discouraged'] as const;

/** Maps the PascalCase (and dotted) service parameters onto a domain patch. */
export function readServicePatch(p: Params): ServicePatch {
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
  if (patch.ttsName != null && patch.ttsName.length > 64) throw verifyInvalidParam('TtsName');
  return patch;
}
