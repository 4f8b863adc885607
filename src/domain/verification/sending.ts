/**
 * The port a start sends its code through. The domain says what to send (a structured request);
 * how it is rendered, which provider carries it and on which route is the adapter's business
 * (src/channels), so a provider that templates itself can use the code and ignore our wording.
 */
import type { InboxMessage, Price } from '../types.js';

/** The channels a code is sent on; `sna` sends nothing (the device calls verifyd). */
export type CodeChannel = 'sms' | 'call' | 'whatsapp' | 'email';

export interface SendRequest {
  accountSid: string;
  serviceSid: string;
  verificationSid: string;
  attemptSid: string;
  channel: CodeChannel;
  to: string;
  /**
   * The destination's country as the start parsed it (null for e-mail and numbers of no country):
   * routes and prices by country read it, so a send try does not parse the number again. A job
   * queued before it was carried has none (the sender parses the number then).
   */
  country: string | null;
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
  /** The service's DtmfInputRequired: a call asks for a key press before it reads the code. */
  dtmfInputRequired: boolean;
  /** When the code expires (epoch ms): a call's key-press step refuses to read it after that. */
  expiresAt: number;
  /** How long the code stays valid, as the message states it. */
  ttlMinutes: number;
}

/**
 * What a provider can report when it takes a code: Twilio's message_status values, and for calls
 * its call_status values (receipts move them on later: domain/attempts/receipts.ts).
 */
export type SendStatus = 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'no-answer';

export interface SendOutcome {
  status: SendStatus;
  /** The carrier's id for the message, which its receipts name (stored with the provider's name). */
  providerMessageId?: string | null;
  /** The provider that sent it; set by the sender, not by the provider. */
  providerName?: string | null;
  /** Twilio error code of a failed or undelivered send. */
  errorCode?: number | null;
}

/** Where an inline carrier writes: the start's own transaction. */
export interface InlineSendTx {
  insertInboxMessage(m: InboxMessage): Promise<void>;
}

/**
 * How codes leave verifyd. A carrier that is verifyd's own database (the inbox) is written in the
 * start's transaction; every other one is reached later, from the send queue, by the dispatcher.
 */
export interface CodeSender {
  /** Whether some provider carries this channel; a start on one that none carries answers 60223. */
  carries(channel: CodeChannel): boolean;
  /** Whether the channel's carrier is written in the start's transaction rather than queued. */
  sendsInline(channel: CodeChannel): boolean;
  /** Sends through the start's transaction (channels for which sendsInline holds). */
  sendInline(request: SendRequest, tx: InlineSendTx): Promise<SendOutcome>;
  /**
   * The providers a queued code may go through, first choice first (the failover order): the
   * service's Messaging Configuration, else the routes, by channel, service and the destination's
   * country. Empty when none carries it.
   */
  route(request: Omit<SendRequest, 'code'>): Promise<readonly RouteStop[]>;
  /**
   * Sends one queued code through one provider of its route and resolves with the outcome,
   * `providerName` set. A rejection (the provider unreachable, a 5xx, `signal` aborted at the
   * timeout) is a failure; a reported `failed` or `undelivered` is the provider's refusal.
   */
  sendWith(provider: string, request: SendRequest, signal: AbortSignal): Promise<SendOutcome>;
  /** Whether a rejection of sendWith says the provider certainly did not take the message (failover moves on at once). */
  notReached(err: unknown): boolean;
  /** This node's circuit per provider: whether to try it now in route order, and how each try went. */
  health: { admit(provider: string): boolean; succeeded(provider: string): void; failed(provider: string): void };
  /** When a missing receipt moves a send on (null: never; a failure receipt always does). */
  receiptTimeoutMs: number | null;
  /** Whether an MG sid names one of the sender profiles (what a Messaging Configuration may name). */
  hasProfile(sid: string): boolean;
}

/** One provider of a send's route. */
export interface RouteStop {
  provider: string;
  /** Whether it reports delivery later, so that a failure receipt (or none) can move the send on. */
  sendsReceipts: boolean;
  /** Its price for this destination, when configured (the attempt then shows it). */
  price: Price | null;
}

/**
 * Twilio's "Unknown error" (30008), as in the Attempts examples of an undelivered message: what an
 * attempt records when a sender fails without saying why (docs/wire-decisions.md).
 */
export const SEND_FAILED_UNKNOWN = 30008;

/** A send status that says the message will not arrive: a later provider may take over. */
export const isFailedStatus = (status: string): boolean => status === 'failed' || status === 'undelivered';

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
