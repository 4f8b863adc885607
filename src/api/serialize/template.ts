import type { VerificationTemplate } from '../../domain/types.js';
import { iso } from './time.js';

/** verify.v2.verification_template: no url of its own in Twilio's schema. */
export function serializeTemplate(t: VerificationTemplate): Record<string, unknown> {
  return {
    sid: t.sid,
    account_sid: t.accountSid,
    friendly_name: t.friendlyName,
    channels: t.channels,
    translations: Object.fromEntries(
      Object.entries(t.translations).map(([locale, x]) => [
        locale,
        { is_default_translation: x.isDefault, status: x.status, locale: x.locale, text: x.text, date_updated: iso(x.dateUpdated), date_created: iso(x.dateCreated) },
      ]),
    ),
  };
}
