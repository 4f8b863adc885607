import type { SendRequest } from '../../src/domain/verification/sending.js';

/** A SendRequest as a start builds one (an sms in English for Acme), with `over` on top: for tests that call providers directly. */
export const sendRequest = (over: Partial<SendRequest> = {}): SendRequest => ({
  accountSid: 'AC1',
  serviceSid: 'VA1',
  verificationSid: 'VE1',
  attemptSid: 'VL1',
  channel: 'sms',
  to: '+15017122661',
  locale: 'en',
  code: '482913',
  friendlyName: 'Acme',
  doNotShareWarning: false,
  appHash: null,
  amount: null,
  payee: null,
  sendDigits: null,
  templateSid: null,
  templateText: null,
  templateSubstitutions: null,
  channelConfiguration: null,
  whatsapp: { from: null, msgServiceSid: null },
  ttsName: null,
  dtmfInputRequired: false,
  expiresAt: Date.UTC(2026, 0, 1),
  ttlMinutes: 10,
  ...over,
});
