import type { Agent } from 'undici';
import type { Clock } from '../../domain/clock.js';
import { isFailedStatus, SEND_FAILED_UNKNOWN, type CodeChannel, type SendOutcome, type SendRequest, type SendStatus } from '../../domain/verification/sending.js';
import { agentWithConnectTimeout } from '../http-agent.js';
import { CarrierUnavailable, post, retryableStatus, turnedAway } from '../http-json.js';
import type { Provider } from '../provider.js';
import { emailVariables, type Rendering } from '../render/index.js';
import { defaultHtml } from '../smtp/templates.js';
import { parseJsonObject } from '../json-object.js';
import type { HttpGatewaySettings } from './config.js';
import { gatewayHeaders, validGatewaySignature } from './signature.js';

/** A failure worth trying again: the gateway unreachable, too slow, overloaded (429) or failing (5xx). */
export class GatewayUnavailable extends CarrierUnavailable {
  override readonly name = 'GatewayUnavailable';
}

/** What the gateway is sent for one code (docs/delivery.md, "Your own HTTP gateway", documents every field). */
export interface GatewayMessage {
  attempt_sid: string;
  verification_sid: string;
  service_sid: string;
  account_sid: string;
  channel: CodeChannel;
  to: string;
  locale: string;
  code: string;
  friendly_name: string;
  message: { text: string; subject: string | null; html: string | null };
  send_digits: string | null;
  template: { sid: string | null; substitutions: Record<string, unknown> | null };
  channel_configuration: Record<string, unknown> | null;
  expires_at: string;
  receipt_url: string;
}

/** The statuses an answer may give, as the attempt records them. */
const ANSWER_STATUSES: ReadonlySet<string> = new Set<SendStatus>(['queued', 'sent', 'delivered', 'undelivered', 'failed']);

/** A call's answer in call_status terms: taken is `queued` (its receipts then ring and complete it), delivered is `completed`. */
const CALL_STATUS: Readonly<Record<string, SendStatus>> = { queued: 'queued', sent: 'queued', delivered: 'completed', undelivered: 'failed', failed: 'failed' };

const errorCodeOf = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 1e9 ? v : null);

/**
 * The team's own gateway: each code is POSTed as JSON to `url`, signed with the secret
 * (X-Verifyd-Timestamp, X-Verifyd-Signature), and the gateway answers with its message id and a
 * status. 2xx is its answer; another 4xx a refusal for good; 429, 5xx, a timeout or no connection
 * are thrown, so the send queue tries again with the same `attempt_sid`, which a gateway can use
 * to recognise a repeat.
 */
export class HttpGatewayProvider implements Provider {
  readonly channels: readonly CodeChannel[];
  /** Its own connection pool, so `connect_timeout_ms` bounds connecting (a refused or silent host is "not reached"). */
  private readonly agent: Agent;

  /** `publicBaseUrl` is read on every send: a server bound to port 0 learns it after listen. */
  constructor(
    readonly name: string,
    private readonly settings: HttpGatewaySettings,
    private readonly clock: Clock,
    private readonly publicBaseUrl: () => string,
  ) {
    this.channels = settings.channels;
    this.agent = agentWithConnectTimeout(settings.connect_timeout_ms);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** Whether a receipt's headers sign its body with this provider's secret, recently. */
  signedReceipt(timestamp: unknown, signature: unknown, body: string, nowMs: number): boolean {
    return validGatewaySignature(this.settings.secret, timestamp, signature, body, nowMs);
  }

  message(req: SendRequest, rendering: Rendering): GatewayMessage {
    const subject = req.channel === 'email' ? (rendering.subject ?? emailVariables(req).twilio_message) : null;
    return {
      attempt_sid: req.attemptSid,
      verification_sid: req.verificationSid,
      service_sid: req.serviceSid,
      account_sid: req.accountSid,
      channel: req.channel,
      to: req.to,
      locale: req.locale,
      code: req.code,
      friendly_name: req.friendlyName,
      message: {
        text: rendering.body,
        subject,
        html: subject === null ? null : defaultHtml({ ...emailVariables(req), locale: req.locale, subject, body: rendering.body }),
      },
      send_digits: rendering.sendDigits,
      template: { sid: req.templateSid, substitutions: req.templateSubstitutions },
      channel_configuration: req.channelConfiguration,
      expires_at: new Date(req.expiresAt).toISOString(),
      receipt_url: `${this.publicBaseUrl()}/callbacks/http/${encodeURIComponent(this.name)}`,
    };
  }

  async send(req: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    const s = this.settings;
    const body = JSON.stringify(this.message(req, rendering));
    const headers = { 'content-type': 'application/json', accept: 'application/json', ...gatewayHeaders(s.secret, body, this.clock.now().getTime()) };
    // The error's message never holds the body: it holds the code.
    const { status, text } = await post(s.url, { headers, body, timeoutMs: s.timeout_ms, signal, dispatcher: this.agent }, (message, cause) => new GatewayUnavailable(`gateway ${message}`, { cause }));
    const answer = parseJsonObject(text);
    // A redirect is not followed (it would carry the code elsewhere): thrown, so retried and logged.
    if (retryableStatus(status) || (status >= 300 && status < 400)) throw new GatewayUnavailable(`gateway answered ${status}`, { notReached: turnedAway(status) });
    if (status >= 400) return { status: 'failed', errorCode: errorCodeOf(answer?.error_code) ?? SEND_FAILED_UNKNOWN };
    const id = answer?.message_id;
    const said = answer?.status;
    if (typeof id !== 'string' || id === '' || id.length > 256 || typeof said !== 'string' || !ANSWER_STATUSES.has(said)) {
      throw new GatewayUnavailable(`gateway answered ${status} without a message_id and a known status`);
    }
    const failed = isFailedStatus(said);
    return { status: req.channel === 'call' ? CALL_STATUS[said]! : (said as SendStatus), providerMessageId: id, errorCode: failed ? (errorCodeOf(answer?.error_code) ?? SEND_FAILED_UNKNOWN) : null };
  }
}
