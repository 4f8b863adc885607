import type { Agent } from 'undici';
import { agentWithConnectTimeout } from '../http-agent.js';
import { isFailedStatus, SEND_FAILED_UNKNOWN, type CodeChannel, type SendOutcome, type SendRequest, type SendStatus } from '../../domain/verification/sending.js';
import type { CodeKeyring } from '../../domain/code/keys.js';
import type { Provider } from '../provider.js';
import { callPrompts, type Rendering } from '../render/index.js';
import { twilioChannels, type TwilioProviderConfig } from './config.js';
import { createResource, type Form, type RestAnswer } from './rest.js';
import { openSpokenCode, sealSpokenCode, type GatherQuery } from './gather.js';
import { callTwiml, gatherTwiml, hangupTwiml } from './twiml.js';
import { callVoice } from './voices.js';

/** Twilio's SendDigits alphabet: digits, # and *, w (half a second) and W (a second). */
const SEND_DIGITS = /^[0-9#*wW]{1,32}$/;
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
/** The call progress a call's status callback is asked to report. */
const CALL_EVENTS = ['initiated', 'ringing', 'answered', 'completed'];

const whatsapp = (address: string) => (address.startsWith('whatsapp:') ? address : `whatsapp:${address}`);

/**
 * SMS and WhatsApp through the Messaging API (Messages.json) and calls through the Voice API
 * (Calls.json) of one Twilio account, or a Twilio-compatible carrier at `api_base_url`. Every
 * request asks for status callbacks on verifyd's own URL (`/callbacks/twilio/{name}/...`), which
 * move the attempt on. A refusal (4xx) is a permanent failure reported with Twilio's error code;
 * an unreachable, slow or failing API (timeouts, 429, 5xx) is thrown, to be tried again.
 */
export class TwilioProvider implements Provider {
  readonly name: string;
  readonly channels: readonly CodeChannel[];
  /** Twilio posts status callbacks for every message and call. */
  readonly sendsReceipts = true;
  /** Its own connection pool, so `connect_timeout_ms` bounds connecting (a refused or silent host is "not reached"). */
  private readonly agent: Agent;

  /**
   * `publicBaseUrl` is read on every send: a server bound to port 0 learns it after listen.
   * `codeKeys` (CODE_KEYS) seal a call's code into its key-press step; read on use, as a process
   * that never sends a call (the event dispatcher) may have none.
   */
  constructor(
    readonly config: TwilioProviderConfig,
    private readonly publicBaseUrl: () => string,
    private readonly codeKeys: () => CodeKeyring,
  ) {
    this.name = config.name;
    this.channels = twilioChannels(config);
    this.agent = agentWithConnectTimeout(config.connect_timeout_ms);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The auth token status callbacks are signed with (the API's own credential). */
  get authToken(): string {
    return this.config.auth_token;
  }

  async send(req: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    switch (req.channel) {
      case 'sms':
        return messageOutcome(await createResource(this.config, 'Messages', this.smsForm(req, rendering), signal, this.agent));
      case 'whatsapp':
        return messageOutcome(await createResource(this.config, 'Messages', this.whatsappForm(req, rendering), signal, this.agent));
      case 'call': {
        // The wire refuses other characters already; a request from elsewhere (a replayed queue entry) is refused here.
        if (rendering.sendDigits !== null && !SEND_DIGITS.test(rendering.sendDigits)) return { status: 'failed', errorCode: SEND_FAILED_UNKNOWN };
        return callOutcome(await createResource(this.config, 'Calls', this.callForm(req, rendering), signal, this.agent));
      }
      case 'email':
        throw new Error(`provider ${this.name} does not send email`);
    }
  }

  private callbackUrl(kind: 'messages' | 'calls' | 'calls/gather'): string {
    return `${this.publicBaseUrl()}/callbacks/twilio/${encodeURIComponent(this.name)}/${kind}`;
  }

  /**
   * The answer to a call's key press (the Gather's action, its signature already checked): the
   * code's TwiML opened from the URL, or a hang-up when it does not open or the code has expired.
   */
  spokenCodeTwiml(query: Partial<Record<keyof GatherQuery, unknown>>, now: number): string {
    const spoken = openSpokenCode(this.codeKeys(), query, now);
    return spoken ? callTwiml(spoken.message, spoken.voice) : hangupTwiml();
  }

  private smsForm(req: SendRequest, rendering: Rendering): Form {
    const c = this.config;
    return {
      To: req.to,
      // A Messaging Service picks the sender from its pool; without one the configured number sends.
      ...(c.messaging_service_sid ? { MessagingServiceSid: c.messaging_service_sid } : { From: c.sms_from }),
      Body: rendering.body,
      StatusCallback: this.callbackUrl('messages'),
    };
  }

  /** Sender: the service's WhatsApp settings, else the provider's. Content: a template with the code as {{1}}, else the rendering. */
  private whatsappForm(req: SendRequest, rendering: Rendering): Form {
    const c = this.config;
    const svc = req.whatsapp;
    const sender: Form =
      svc.from || svc.msgServiceSid
        ? { From: svc.from ? whatsapp(svc.from) : undefined, MessagingServiceSid: svc.msgServiceSid ?? undefined }
        : c.whatsapp_from
          ? { From: whatsapp(c.whatsapp_from) }
          : { MessagingServiceSid: c.messaging_service_sid };
    const startContent = req.channelConfiguration?.content_sid;
    const contentSid = typeof startContent === 'string' && CONTENT_SID.test(startContent) ? startContent : c.whatsapp_content_sid;
    const content: Form = contentSid ? { ContentSid: contentSid, ContentVariables: JSON.stringify({ 1: req.code }) } : { Body: rendering.body };
    return { To: whatsapp(req.to), ...sender, ...content, StatusCallback: this.callbackUrl('messages') };
  }

  /**
   * The code read at once, or with the service's DtmfInputRequired a key-press step first, whose
   * action URL carries the message sealed: verifyd keeps no code to read out later.
   */
  private callScript(req: SendRequest, rendering: Rendering): string {
    const voice = callVoice(req.locale, req.ttsName);
    if (!req.dtmfInputRequired) return callTwiml(rendering.body, voice);
    const sealed = sealSpokenCode(this.codeKeys(), req.attemptSid, { message: rendering.body, voice, expiresAt: req.expiresAt });
    const { pressKey, goodbye } = callPrompts(req);
    return gatherTwiml(pressKey, goodbye, `${this.callbackUrl('calls/gather')}?${new URLSearchParams({ ...sealed })}`, voice);
  }

  private callForm(req: SendRequest, rendering: Rendering): Form {
    return {
      To: req.to,
      From: this.config.voice_from,
      Twiml: this.callScript(req, rendering),
      SendDigits: rendering.sendDigits ?? undefined,
      StatusCallback: this.callbackUrl('calls'),
      StatusCallbackEvent: CALL_EVENTS,
      StatusCallbackMethod: 'POST',
    };
  }
}

const errorCodeOf = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
};

/** A refusal: failed for good, with Twilio's code (or "unknown" when the answer had none). */
function refused(answer: Extract<RestAnswer, { ok: false }>): SendOutcome {
  return { status: 'failed', errorCode: answer.code ?? SEND_FAILED_UNKNOWN };
}

/** A created message is usually `queued` (`accepted` or `scheduled` through a Messaging Service: queued too, as far as the attempt says). */
function messageOutcome(answer: RestAnswer): SendOutcome {
  if (!answer.ok) return refused(answer);
  const sid = answer.body.sid as string;
  const s = answer.body.status;
  const status: SendStatus = s === 'sent' || s === 'delivered' || s === 'undelivered' || s === 'failed' ? s : 'queued';
  const failed = isFailedStatus(status);
  return { status, providerMessageId: sid, errorCode: failed ? (errorCodeOf(answer.body.error_code) ?? SEND_FAILED_UNKNOWN) : null };
}

/** A created call is `queued`; its progress comes with the status callbacks. */
function callOutcome(answer: RestAnswer): SendOutcome {
  if (!answer.ok) return refused(answer);
  const failed = answer.body.status === 'failed';
  return { status: failed ? 'failed' : 'queued', providerMessageId: answer.body.sid as string, errorCode: failed ? SEND_FAILED_UNKNOWN : null };
}
