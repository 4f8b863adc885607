/** Domain records. Times are epoch milliseconds; the API layer turns them into ISO 8601. */

import type { CarrierInfo } from './ports/lookup.js';

export interface Account {
  sid: string;
  /** The primary auth token: it signs the account's webhooks. Sealed at rest (TOKEN_KEYS). */
  authToken: string;
  /** Made by `cli account rotate-token`; authenticates beside the primary until promoted. */
  secondaryAuthToken: string | null;
  friendlyName: string;
  dateCreated: number;
}

export interface ApiKey {
  sid: string;
  accountSid: string;
  /** SHA-256 of the secret; the secret itself is shown once, at creation. */
  secretHash: string;
  friendlyName: string;
  dateCreated: number;
}

export interface ServiceConfig {
  codeLength: number;
  lookupEnabled: boolean;
  psd2Enabled: boolean;
  skipSmsToLandlines: boolean;
  dtmfInputRequired: boolean;
  ttsName: string | null;
  doNotShareWarningEnabled: boolean;
  customCodeEnabled: boolean;
  push: { includeDate: boolean; apnCredentialSid: string | null; fcmCredentialSid: string | null };
  totp: { issuer: string | null; timeStep: number | null; codeLength: number | null; skew: number | null };
  whatsapp: { msgServiceSid: string | null; from: string | null };
  passkeys: {
    relyingParty: { id: string | null; name: string | null; origins: string[] | null };
    authenticatorAttachment: string | null;
    discoverableCredentials: string | null;
    userVerification: string | null;
  };
  defaultTemplateSid: string | null;
  verifyEventSubscriptionEnabled: boolean;
}

export interface Service {
  sid: string;
  accountSid: string;
  friendlyName: string;
  config: ServiceConfig;
  dateCreated: number;
  dateUpdated: number;
}

/** Twilio's verification_enum_channel: the channel of a verification and of each of its attempts. */
export const VERIFICATION_CHANNELS = ['sms', 'call', 'whatsapp', 'email', 'sna'] as const;
export type VerificationChannel = (typeof VERIFICATION_CHANNELS)[number];
export const REQUEST_CHANNELS = [...VERIFICATION_CHANNELS, 'auto'] as const;
export type RequestChannel = (typeof REQUEST_CHANNELS)[number];

export type VerificationStatus = 'pending' | 'approved' | 'canceled' | 'expired' | 'max_attempts_reached';

/** Everything a start request carried that does not drive the lifecycle; kept for later features. */
export interface StartOptions {
  customFriendlyName: string | null;
  customMessage: string | null;
  sendDigits: string | null;
  locale: string | null;
  rateLimits: Record<string, string> | null;
  channelConfiguration: Record<string, unknown> | null;
  appHash: string | null;
  templateSid: string | null;
  templateCustomSubstitutions: Record<string, unknown> | null;
  deviceIp: string | null;
  enableSnaClientToken: boolean;
  riskCheck: 'enable' | 'disable' | null;
  tags: Record<string, string> | null;
}

export interface Verification {
  sid: string;
  accountSid: string;
  serviceSid: string;
  to: string;
  /** The channel of the latest send. */
  channel: VerificationChannel;
  status: VerificationStatus;
  codeLength: number;
  codeKeyId: string;
  /** Seed a generated code is derived from; null for custom codes and sna. */
  codeSeed: string | null;
  codeHash: string | null;
  customCode: boolean;
  amount: string | null;
  payee: string | null;
  locale: string;
  country: string | null;
  checkCount: number;
  sendCount: number;
  options: StartOptions;
  /** What the latest start's carrier lookup found; null when it did not look (`lookup` is then `{}`). */
  lookup: CarrierInfo | null;
  expiresAt: number;
  dateCreated: number;
  dateUpdated: number;
}

export interface SendAttempt {
  sid: string;
  verificationSid: string;
  accountSid: string;
  serviceSid: string;
  channel: VerificationChannel;
  to: string;
  locale: string;
  country: string | null;
  codeLength: number;
  messageStatus: string;
  errorCode: number | null;
  dateCreated: number;
  dateUpdated: number;
  /** True once the verification this attempt belongs to was approved. */
  converted: boolean;
  attemptStatus: AttemptStatus;
  price: Price | null;
  mcc: string | null;
  mnc: string | null;
  carrier: string | null;
  /** The provider that took the message (a failed attempt: the last one that answered); null until one did. */
  provider: string | null;
  /** Each provider tried for this attempt, in order (failover: docs/delivery.md). */
  tries: SendTry[];
}

/**
 * One provider's turn at sending an attempt: `sent` (it took the message), `refused` (it answered
 * with a failure), `unreachable` (it was certainly not reached), `error` (no answer: it may have
 * taken it), `failure_receipt` (it took it, then reported it failed or undelivered),
 * `receipt_timeout` (it took it and sent no receipt in time).
 */
export interface SendTry {
  provider: string;
  result: 'sent' | 'refused' | 'unreachable' | 'error' | 'failure_receipt' | 'receipt_timeout';
  errorCode: number | null;
  at: number;
}

/** confirmed once the verification is approved, expired once it lapsed, unconfirmed otherwise. */
export type AttemptStatus = 'confirmed' | 'unconfirmed' | 'expired';

export interface Price {
  value: string;
  currency: string;
}

export type CheckResult = 'SUCCESS' | 'FAILURE';

export interface CheckRecord {
  verificationSid: string;
  result: CheckResult;
  dateCreated: number;
}

/** `normalize`: a start-up step settled case variants of one e-mail address (normalize-destinations.ts). */
export type StatusCause = 'start' | 'check' | 'update' | 'expiry' | 'resend' | 'normalize';

export interface StatusChange {
  verificationSid: string;
  accountSid: string;
  serviceSid: string;
  fromStatus: VerificationStatus | null;
  toStatus: VerificationStatus;
  cause: StatusCause;
  dateCreated: number;
}

export interface SnaSession {
  /** SHA-256 of the URL token: the URL itself is a bearer secret. */
  tokenHash: string;
  verificationSid: string;
  attemptSid: string;
  expiresAt: number;
  usedAt: number | null;
  /** SHA-256 of the client token handed out on invocation, when EnableSnaClientToken was set. */
  clientTokenHash: string | null;
}

export interface InboxMessage {
  id?: number;
  accountSid: string;
  serviceSid: string;
  verificationSid: string;
  attemptSid: string;
  to: string;
  channel: VerificationChannel;
  locale: string;
  subject: string | null;
  body: string;
  code: string;
  dateCreated: number;
}

/** The channels a Verify template can serve: Twilio's names (`voice` is the `call` channel). */
export const TEMPLATE_CHANNELS = ['sms', 'voice'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

export interface TemplateTranslation {
  locale: string;
  text: string;
  /** Twilio's approval status; verifyd's templates are the operator's own, stored as approved. */
  status: 'approved';
  /** The translation a locale without its own falls back to (one per template). */
  isDefault: boolean;
  dateCreated: number;
  dateUpdated: number;
}

/** An account's SMS/voice message template (HJ…), listed by GET /v2/Templates; created with the CLI. */
export interface VerificationTemplate {
  sid: string;
  accountSid: string;
  friendlyName: string;
  channels: TemplateChannel[];
  /** Keyed by locale, as Twilio's `translations` object. */
  translations: Record<string, TemplateTranslation>;
  dateCreated: number;
  dateUpdated: number;
}
