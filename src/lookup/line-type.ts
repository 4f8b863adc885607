import type { NumberType } from 'libphonenumber-js';
import type { LineType } from '../domain/ports/lookup.js';

/**
 * libphonenumber's number type as Verify's `lookup.carrier.type` (Lookup v1's mobile, landline,
 * voip). Plans that cannot tell fixed from mobile by the number (NANP's FIXED_LINE_OR_MOBILE)
 * count as mobile: SMS to them mostly arrives, and refusing every North American number on a
 * service that skips landlines would be worse than sending to the few that are landlines. A
 * lookup provider that knows better overrides it. The other types (toll-free, premium, shared
 * cost, personal, pager, UAN, voicemail) have no v1 name: unknown (null).
 */
const LINE_TYPES: Partial<Record<NonNullable<NumberType>, LineType>> = {
  MOBILE: 'mobile',
  FIXED_LINE_OR_MOBILE: 'mobile',
  FIXED_LINE: 'landline',
  VOIP: 'voip',
};

export function lineTypeOf(type: NumberType): LineType | null {
  return type === undefined ? null : (LINE_TYPES[type] ?? null);
}

/**
 * Lookup v2's `line_type_intelligence.type` as Verify's: both VoIP kinds are `voip`; types v1 had
 * no name for are unknown (null).
 */
const V2_LINE_TYPES: Record<string, LineType> = {
  mobile: 'mobile',
  landline: 'landline',
  fixedVoip: 'voip',
  nonFixedVoip: 'voip',
};

export function lineTypeOfV2(type: unknown): LineType | null {
  return typeof type === 'string' && Object.hasOwn(V2_LINE_TYPES, type) ? V2_LINE_TYPES[type]! : null;
}
