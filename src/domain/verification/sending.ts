/**
 * The port a start sends its code through. The domain says what to send (a structured request);
 * how it is rendered, which provider carries it and on which route is the adapter's business
 * (src/channels), so a provider that templates itself can use the code and ignore our wording.
 */

/** The channels a code is sent on; `sna` sends nothing (the device calls verifyd). */
export type CodeChannel = 'sms' | 'call' | 'whatsapp' | 'email';

export interface SendRequest {
  accountSid: string;
  serviceSid: string;
  verificationSid: string;
  attemptSid: string;
  channel: CodeChannel;
  to: string;
  locale: string;
  code: string;
  /** CustomFriendlyName of the start, else the service's name. */
  friendlyName: string;
  doNotShareWarning: boolean;
  appHash: string | null;
  amount: string | null;
  payee: string | null;
  sendDigits: string | null;
  /** TemplateSid of the start, else the service's default template. */
  templateSid: string | null;
  /**
   * The text of that template's translation for this locale, when the template serves this
   * channel (src/domain/templates); null when verifyd's own wording applies.
   */
  templateText: string | null;
  templateSubstitutions: Record<string, unknown> | null;
  channelConfiguration: Record<string, unknown> | null;
  /** The service's WhatsApp sender (whatsapp.from, whatsapp.msg_service_sid), for providers that send WhatsApp. */
  whatsapp: { from: string | null; msgServiceSid: string | null };
  /** The service's text-to-speech voice for calls (tts_name), when it names one. */
  ttsName: string | null;
  /** How long the code stays valid, as the message states it. */
  ttlMinutes: number;
}

/** Twilio's message_status values a provider can report at send time; receipts move them on later. */
export type SendStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed';

export interface SendOutcome {
  status: SendStatus;
  /** The carrier's id for the message, which its receipts name (stored with the provider's name). */
  providerMessageId?: string | null;
  /** The provider that sent it; set by the sender, not by the provider. */
  providerName?: string | null;
  /** Twilio error code of a failed or undelivered send. */
  errorCode?: number | null;
}

export interface CodeSender {
  /** Whether some provider carries this channel; a start on one that none carries answers 60223. */
  carries(channel: CodeChannel): boolean;
  /** Sends one code. Resolves with the outcome, a failure included; a rejection is treated as a failure too. */
  send(request: SendRequest): Promise<SendOutcome>;
}

/**
 * Twilio's "Unknown error" (30008), as in the Attempts examples of an undelivered message: what an
 * attempt records when a sender fails without saying why (docs/wire-decisions.md).
 */
export const SEND_FAILED_UNKNOWN = 30008;

/** What a log may say about a sender's failure: the code is masked wherever the error repeats it. */
export interface SendFailure {
  attemptSid: string;
  channel: CodeChannel;
  error: { type: string; message: string; stack?: string };
}

export function sendFailure(request: SendRequest, err: unknown): SendFailure {
  const mask = (s: string) => s.replaceAll(request.code, '[code]');
  // Something thrown that is not an Error has no stack worth showing.
  const e: { name: string; message: string; stack?: string } = err instanceof Error ? err : { name: 'Error', message: String(err) };
  return {
    attemptSid: request.attemptSid,
    channel: request.channel,
    error: { type: e.name, message: mask(e.message), stack: e.stack === undefined ? undefined : mask(e.stack) },
  };
}
