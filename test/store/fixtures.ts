/** Record builders for the store conformance suite. Not a test file itself. */
import type { Sink, Subscription } from '../../src/domain/events/types.js';
import { newSid } from '../../src/domain/ids.js';
import { defaultConfig } from '../../src/domain/service/service.js';
import type {
  Account,
  InboxMessage,
  SendAttempt,
  Service,
  SnaSession,
  StartOptions,
  StatusChange,
  Verification,
} from '../../src/domain/types.js';

// Real epoch milliseconds are far above 2^31: a BIGINT that came back as a string, or was truncated
// to 32 bits, would fail the deepEqual comparisons the suite makes everywhere.
export const T0 = 1_700_000_000_000;
/** Far enough ahead that no expiry sweep in the suite ever finds these rows due. */
export const FAR = 4_000_000_000_000;

export const account = (over: Partial<Account> = {}): Account => ({
  sid: newSid('AC'),
  authToken: 'token-' + newSid('XX').slice(2, 10),
  secondaryAuthToken: null,
  friendlyName: 'Test account',
  dateCreated: T0,
  ...over,
});

export const service = (accountSid: string, over: Partial<Service> = {}): Service => ({
  sid: newSid('VA'),
  accountSid,
  friendlyName: 'Store Test',
  config: defaultConfig(),
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});

export const startOptions = (): StartOptions => ({
  customFriendlyName: null,
  customMessage: null,
  sendDigits: null,
  locale: null,
  rateLimits: null,
  channelConfiguration: null,
  appHash: null,
  templateSid: null,
  templateCustomSubstitutions: null,
  deviceIp: null,
  enableSnaClientToken: false,
  riskCheck: null,
  tags: null,
});

export const verification = (svc: Service, over: Partial<Verification> = {}): Verification => ({
  sid: newSid('VE'),
  accountSid: svc.accountSid,
  serviceSid: svc.sid,
  to: '+15017122661',
  channel: 'sms',
  status: 'pending',
  codeLength: 6,
  codeKeyId: 'k1',
  codeSeed: 'seed-' + newSid('XX').slice(2, 12),
  codeHash: 'hash-' + newSid('XX').slice(2, 12),
  customCode: false,
  amount: null,
  payee: null,
  locale: 'en',
  country: 'US',
  checkCount: 0,
  sendCount: 1,
  options: startOptions(),
  lookup: null,
  expiresAt: FAR,
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});

export const send = (v: Verification, over: Partial<SendAttempt> = {}): SendAttempt => ({
  sid: newSid('VL'),
  verificationSid: v.sid,
  accountSid: v.accountSid,
  serviceSid: v.serviceSid,
  channel: v.channel,
  to: v.to,
  locale: v.locale,
  country: v.country,
  codeLength: v.codeLength,
  messageStatus: 'queued',
  errorCode: null,
  dateCreated: T0,
  dateUpdated: T0,
  converted: false,
  attemptStatus: 'unconfirmed',
  price: null,
  mcc: null,
  mnc: null,
  carrier: null,
  provider: null,
  tries: [],
  ...over,
});

export const statusChange = (v: Verification, over: Partial<StatusChange> = {}): StatusChange => ({
  verificationSid: v.sid,
  accountSid: v.accountSid,
  serviceSid: v.serviceSid,
  fromStatus: null,
  toStatus: 'pending',
  cause: 'start',
  dateCreated: T0,
  ...over,
});

export const snaSession = (v: Verification, over: Partial<SnaSession> = {}): SnaSession => ({
  tokenHash: 'tok-' + newSid('XX').slice(2),
  verificationSid: v.sid,
  attemptSid: newSid('VL'),
  expiresAt: FAR,
  usedAt: null,
  clientTokenHash: null,
  ...over,
});

export const inboxMessage = (v: Verification, over: Partial<InboxMessage> = {}): InboxMessage => ({
  accountSid: v.accountSid,
  serviceSid: v.serviceSid,
  verificationSid: v.sid,
  attemptSid: newSid('VL'),
  to: v.to,
  channel: v.channel,
  locale: v.locale,
  subject: null,
  body: 'Your Store Test verification code is: 123456',
  code: '123456',
  dateCreated: T0,
  ...over,
});

export const sink = (accountSid: string, over: Partial<Sink> = {}): Sink => ({
  sid: newSid('DG'),
  accountSid,
  description: 'hook',
  sinkType: 'webhook',
  config: { destination: 'http://127.0.0.1:9/hook', method: 'POST', batch_events: false },
  status: 'active',
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});

export const subscription = (s: Sink, over: Partial<Subscription> = {}): Subscription => ({
  sid: newSid('DF'),
  accountSid: s.accountSid,
  sinkSid: s.sid,
  description: 'sub',
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});
