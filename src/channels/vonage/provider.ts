import type { Agent } from 'undici';
import type { CodeChannel, SendOutcome, SendRequest } from '../../domain/verification/sending.js';
import { agentWithConnectTimeout } from '../http-agent.js';
import { CarrierUnavailable, post, retryableStatus, turnedAway } from '../http-json.js';
import type { Provider } from '../provider.js';
import type { Rendering } from '../render/index.js';
import { isGsm7 } from '../smpp/encoding.js';
import { VONAGE_RETRY_STATUSES, vonageSendError } from './codes.js';
import type { VonageSettings } from './config.js';
import { validVonageSignature } from './signature.js';

/** A failure worth trying again: the API unreachable, too slow, overloaded or failing on its side. */
export class VonageUnavailable extends CarrierUnavailable {
  override readonly name = 'VonageUnavailable';
}

/**
 * A text outside the GSM 03.38 default alphabet and its extension table goes as `unicode` (UCS-2,
 * 70 characters a part instead of 160), as Vonage asks to be told.
 */
export const needsUnicode = (text: string): boolean => !isGsm7(text);

/** Vonage takes numbers in international format without the leading `+`. */
const msisdn = (n: string) => (/^\+\d+$/.test(n) ? n.slice(1) : n);

interface VonageMessage {
  status?: unknown;
  'message-id'?: unknown;
}

/**
 * SMS through Vonage's SMS API: one POST /sms/json per code, with the account's key and secret,
 * a delivery receipt URL on verifyd (`/callbacks/vonage/{name}`) and the attempt SID as
 * `client-ref`, which Vonage's receipts and reports repeat. A long text is split by Vonage into
 * parts, each with its own message id: the attempt records the first.
 */
export class VonageProvider implements Provider {
  readonly channels: readonly CodeChannel[] = ['sms'];
  // Its delivery receipts come to verifyd's own URL (the `callback` of every send).
  readonly sendsReceipts = true;
  /** Its own connection pool, so `connect_timeout_ms` bounds connecting (a refused or silent host is "not reached"). */
  private readonly agent: Agent;

  /** `publicBaseUrl` is read on every send: a server bound to port 0 learns it after listen. */
  constructor(
    readonly name: string,
    private readonly settings: VonageSettings,
    private readonly publicBaseUrl: () => string,
  ) {
    this.agent = agentWithConnectTimeout(settings.connect_timeout_ms);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Whether a receipt's parameters are signed with this account's signature secret, recently. */
  signedReceipt(params: Readonly<Record<string, string>>, nowMs: number): boolean {
    return validVonageSignature(params, this.settings.signature_secret, this.settings.signature_method, nowMs);
  }

  async send(req: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    if (req.channel !== 'sms') throw new Error(`provider ${this.name} does not send ${req.channel}`);
    const s = this.settings;
    const form = new URLSearchParams({
      api_key: s.api_key,
      api_secret: s.api_secret,
      from: msisdn(s.from),
      to: msisdn(req.to),
      text: rendering.body,
      type: needsUnicode(rendering.body) ? 'unicode' : 'text',
      callback: `${this.publicBaseUrl()}/callbacks/vonage/${encodeURIComponent(this.name)}`,
      'status-report-req': 'true',
      'client-ref': req.attemptSid,
    });
    // The error's message never holds the form: it holds the code and the secret.
    const { status, text } = await post(
      `${s.api_base_url}/sms/json`,
      { headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(), timeoutMs: s.timeout_ms, signal, dispatcher: this.agent },
      (message, cause) => new VonageUnavailable(`SMS API ${message}`, { cause }),
    );
    if (status < 200 || status >= 300) {
      if (retryableStatus(status)) throw new VonageUnavailable(`SMS API answered ${status}`, { notReached: turnedAway(status) });
      // The SMS API answers its refusals with 200 and a status; any other 4xx is the request's fault.
      return { status: 'failed', errorCode: vonageSendError('') };
    }
    return outcome(messagesOf(text));
  }
}

function messagesOf(text: string): VonageMessage[] {
  try {
    const body = JSON.parse(text) as { messages?: unknown };
    if (Array.isArray(body.messages) && body.messages.length > 0) return body.messages as VonageMessage[];
  } catch {
    // Not JSON: handled below.
  }
  throw new VonageUnavailable('SMS API answered without messages');
}

/**
 * Every part accepted: sent. A part refused for now: thrown, and the whole text is sent again (a
 * repeated part is better than a missing one). A part refused for good: failed with its code.
 */
function outcome(messages: VonageMessage[]): SendOutcome {
  const statuses = messages.map((m) => String(m.status));
  const retry = statuses.find((st) => VONAGE_RETRY_STATUSES.has(st));
  if (retry !== undefined) throw new VonageUnavailable(`SMS API answered status ${retry}`);
  const refused = statuses.find((st) => st !== '0');
  if (refused !== undefined) return { status: 'failed', errorCode: vonageSendError(refused) };
  const id = messages[0]?.['message-id'];
  if (typeof id !== 'string' || id === '') throw new VonageUnavailable('SMS API accepted the message without a message-id');
  return { status: 'sent', providerMessageId: id, errorCode: null };
}
