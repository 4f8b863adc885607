import { verifyInvalidParam } from '../../domain/errors.js';
import type { AttemptFilter, SummaryFilter } from '../../domain/ports.js';
import type { Params } from '../params.js';

const CHANNELS = ['sms', 'call', 'email', 'whatsapp', 'rbm'] as const;
const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

function date(p: Params, name: string): number | undefined {
  const v = p.str(name);
  if (v === undefined) return undefined;
  const m = ISO_8601.exec(v);
  const t = m ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) throw verifyInvalidParam(name);
  // Date.parse rolls a day past the month's end over (2025-02-30 is taken as 2025-03-02), so a
  // date that does not exist used to filter from another day instead of being refused.
  const day = Number(m?.[3]);
  const calendar = new Date(0);
  calendar.setUTCFullYear(Number(m?.[1]), Number(m?.[2]) - 1, day);
  if (calendar.getUTCDate() !== day) throw verifyInvalidParam(name);
  return t;
}

function country(p: Params): string | undefined {
  const v = p.str('Country');
  if (v !== undefined && !/^[A-Za-z]{2}$/.test(v)) throw verifyInvalidParam('Country');
  return v?.toUpperCase();
}

/** Shared by list and summary; also returns the filters as given, for the paging URLs. */
function common(p: Params) {
  return {
    createdAfter: date(p, 'DateCreatedAfter'),
    createdBefore: date(p, 'DateCreatedBefore'),
    country: country(p),
    channel: p.oneOf('Channel', CHANNELS),
    serviceSid: p.sid('VerifyServiceSid', 'VA'),
  };
}

export function readAttemptFilter(p: Params): { filter: AttemptFilter; echo: Record<string, string | undefined> } {
  const status = p.oneOf('Status', ['converted', 'unconverted'] as const);
  const filter: AttemptFilter = {
    ...common(p),
    to: p.str('ChannelData.To'),
    verificationSid: p.sid('VerificationSid', 'VE'),
    converted: status === undefined ? undefined : status === 'converted',
  };
  const names = ['DateCreatedAfter', 'DateCreatedBefore', 'ChannelData.To', 'Country', 'Channel', 'VerifyServiceSid', 'VerificationSid', 'Status'];
  return { filter, echo: Object.fromEntries(names.map((n) => [n, p.str(n)])) };
}

export function readSummaryFilter(p: Params): SummaryFilter {
  const prefix = p.str('DestinationPrefix');
  // Digits with an optional leading +: a literal prefix of an E.164 number or an email's start.
  if (prefix !== undefined && !/^\+?[0-9]{1,15}$/.test(prefix)) throw verifyInvalidParam('DestinationPrefix');
  return { ...common(p), destinationPrefix: prefix };
}
