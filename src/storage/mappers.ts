import type { Selectable } from 'kysely';
import type { InboxMessage, SendAttempt, Service, SnaSession, Verification } from '../domain/types.js';
import type { InboxTable, SendsTable, ServicesTable, SnaSessionsTable, VerificationsTable } from './schema.js';

// PostgreSQL returns BIGINT as a string unless told otherwise; Number() makes both dialects agree.
const n = (v: number | string): number => Number(v);
const nn = (v: number | string | null): number | null => (v === null ? null : Number(v));

export const serviceFromRow = (r: Selectable<ServicesTable>): Service => ({
  sid: r.sid,
  accountSid: r.account_sid,
  friendlyName: r.friendly_name,
  config: JSON.parse(r.config),
  dateCreated: n(r.date_created),
  dateUpdated: n(r.date_updated),
});

export const serviceToRow = (s: Service): Selectable<ServicesTable> => ({
  sid: s.sid,
  account_sid: s.accountSid,
  friendly_name: s.friendlyName,
  config: JSON.stringify(s.config),
  date_created: s.dateCreated,
  date_updated: s.dateUpdated,
});

export const verificationFromRow = (r: Selectable<VerificationsTable>): Verification => ({
  sid: r.sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  to: r.to_addr,
  channel: r.channel as Verification['channel'],
  status: r.status as Verification['status'],
  codeLength: r.code_length,
  codeKeyId: r.code_key_id,
  codeSeed: r.code_seed,
  codeHash: r.code_hash,
  customCode: r.custom_code === 1,
  amount: r.amount,
  payee: r.payee,
  locale: r.locale,
  country: r.country,
  checkCount: r.check_count,
  sendCount: r.send_count,
  options: JSON.parse(r.options),
  expiresAt: n(r.expires_at),
  dateCreated: n(r.date_created),
  dateUpdated: n(r.date_updated),
});

export const verificationToRow = (v: Verification): Selectable<VerificationsTable> => ({
  sid: v.sid,
  account_sid: v.accountSid,
  service_sid: v.serviceSid,
  to_addr: v.to,
  channel: v.channel,
  status: v.status,
  code_length: v.codeLength,
  code_key_id: v.codeKeyId,
  code_seed: v.codeSeed,
  code_hash: v.codeHash,
  custom_code: v.customCode ? 1 : 0,
  amount: v.amount,
  payee: v.payee,
  locale: v.locale,
  country: v.country,
  check_count: v.checkCount,
  send_count: v.sendCount,
  options: JSON.stringify(v.options),
  expires_at: v.expiresAt,
  date_created: v.dateCreated,
  date_updated: v.dateUpdated,
});

export const sendFromRow = (r: Selectable<SendsTable>): SendAttempt => ({
  sid: r.sid,
  verificationSid: r.verification_sid,
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  channel: r.channel as SendAttempt['channel'],
  to: r.to_addr,
  locale: r.locale,
  country: r.country,
  codeLength: r.code_length,
  messageStatus: r.message_status,
  errorCode: r.error_code,
  dateCreated: n(r.date_created),
  dateUpdated: n(r.date_updated),
  converted: Number(r.converted) === 1,
  attemptStatus: r.attempt_status as SendAttempt['attemptStatus'],
  price: r.price_value === null ? null : { value: r.price_value, currency: r.price_currency ?? '' },
  mcc: r.mcc,
  mnc: r.mnc,
  carrier: r.carrier,
});

export const sendToRow = (s: SendAttempt): Omit<Selectable<SendsTable>, 'attempt_number'> & { converted: number; attempt_status: string } => ({
  sid: s.sid,
  verification_sid: s.verificationSid,
  account_sid: s.accountSid,
  service_sid: s.serviceSid,
  channel: s.channel,
  to_addr: s.to,
  locale: s.locale,
  country: s.country,
  code_length: s.codeLength,
  message_status: s.messageStatus,
  error_code: s.errorCode,
  date_created: s.dateCreated,
  date_updated: s.dateUpdated,
  converted: s.converted ? 1 : 0,
  attempt_status: s.attemptStatus,
  price_value: s.price?.value ?? null,
  price_currency: s.price?.currency ?? null,
  mcc: s.mcc,
  mnc: s.mnc,
  carrier: s.carrier,
});

export const snaFromRow = (r: Selectable<SnaSessionsTable>): SnaSession => ({
  tokenHash: r.token_hash,
  verificationSid: r.verification_sid,
  attemptSid: r.attempt_sid,
  expiresAt: n(r.expires_at),
  usedAt: nn(r.used_at),
  clientTokenHash: r.client_token_hash,
});

export const inboxFromRow = (r: Selectable<InboxTable>): InboxMessage => ({
  id: n(r.id),
  accountSid: r.account_sid,
  serviceSid: r.service_sid,
  verificationSid: r.verification_sid,
  attemptSid: r.attempt_sid,
  to: r.to_addr,
  channel: r.channel as InboxMessage['channel'],
  locale: r.locale,
  subject: r.subject,
  body: r.body,
  code: r.code,
  dateCreated: n(r.date_created),
});
