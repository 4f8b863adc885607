import type { SafeListEntry } from '../../domain/protection/types.js';

/** verify.v2.safelist: the number stays raw in the url, as Twilio's example shows (`…/Numbers/+18001234567`). */
export function serializeSafeListEntry(e: SafeListEntry, baseUrl: string): Record<string, unknown> {
  return { sid: e.sid, phone_number: e.phoneNumber, url: `${baseUrl}/v2/SafeList/Numbers/${e.phoneNumber}` };
}
