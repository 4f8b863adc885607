import { SEND_FAILED_UNKNOWN, type CodeChannel, type SendOutcome, type SendRequest } from '../../domain/verification/sending.js';
import type { Agent } from 'undici';
import { agentWithConnectTimeout } from '../http-agent.js';
import { CarrierUnavailable, postJson, retryableStatus, turnedAway } from '../http-json.js';
import type { Provider } from '../provider.js';
import { emailVariables, type Rendering } from '../render/index.js';
import { defaultHtml } from '../smtp/templates.js';
import type { SendgridSettings } from './settings.js';

/** What a start's ChannelConfiguration may say to an e-mail provider (checked for shape by the API). */
interface EmailOptions {
  from?: string;
  from_name?: string;
  template_id?: string;
  substitutions?: Record<string, unknown>;
}

/** Twilio's "Authenticate" code: the attempt's record of a key SendGrid refuses. */
const BAD_CREDENTIALS = 20003;

/** The custom argument each message carries, which SendGrid repeats in its events. */
export const ATTEMPT_ARG = 'verifyd_attempt_sid';

/**
 * E-mail through SendGrid's v3 Mail Send API. With a dynamic template (the start's
 * ChannelConfiguration `template_id`, else the provider's), SendGrid renders the message: it gets
 * the template id and, as `dynamic_template_data`, the start's `substitutions` with Twilio's
 * `twilio_*` variables over them, as Twilio's e-mail integration passes them. Without one, the
 * message is verifyd's own localized e-mail, the one the smtp provider sends.
 *
 * Outcomes: 202 is `queued` with SendGrid's X-Message-Id (the Event Webhook says the rest); a
 * refused request is `failed` (401/403: 20003, the key or sender is refused; other 4xx: 30008);
 * 429, 5xx and no answer are thrown, to be tried again.
 */
export class SendgridProvider implements Provider {
  readonly channels: readonly CodeChannel[] = ['email'];

  /** Only with the Event Webhook's key are its events accepted, so only then can a send wait for them. */
  readonly sendsReceipts: boolean;
  /** Its own connection pool, so `connect_timeout_ms` bounds connecting (a refused or silent host is "not reached"). */
  private readonly agent: Agent;

  constructor(
    readonly name: string,
    private readonly settings: SendgridSettings,
  ) {
    this.sendsReceipts = settings.event_webhook_public_key != null;
    this.agent = agentWithConnectTimeout(settings.connect_timeout_ms);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The Event Webhook's verification key, when configured. */
  get eventWebhookKey() {
    return this.settings.event_webhook_public_key;
  }

  async send(req: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    if (req.channel !== 'email') throw new Error(`provider ${this.name} sends email only`);
    const s = this.settings;
    const answer = await postJson(`${s.api_base_url}/v3/mail/send`, { authorization: `Bearer ${s.api_key}` }, this.mail(req, rendering), { timeoutMs: s.timeout_ms, signal, dispatcher: this.agent }, 'SendGrid Mail Send');
    if (retryableStatus(answer.status)) throw new CarrierUnavailable(`SendGrid Mail Send answered ${answer.status}`, { notReached: turnedAway(answer.status) });
    if (answer.status >= 200 && answer.status < 300) {
      // Accepted: never sent again, even in the unlikely case the id is missing (receipts then find nothing).
      return { status: 'queued', providerMessageId: answer.header('x-message-id') || null };
    }
    return { status: 'failed', errorCode: answer.status === 401 || answer.status === 403 ? BAD_CREDENTIALS : SEND_FAILED_UNKNOWN };
  }

  /** The Mail Send body: one personalization, the sender, and either the template or verifyd's content. */
  private mail(req: SendRequest, rendering: Rendering) {
    const options = (req.channelConfiguration ?? {}) as EmailOptions;
    const twilio = emailVariables(req);
    const templateId = options.template_id ?? this.settings.template_id;
    const from = { email: options.from ?? this.settings.from, name: options.from_name ?? this.settings.from_name };
    const custom_args = { [ATTEMPT_ARG]: req.attemptSid };
    if (templateId !== undefined) {
      // Twilio's variables win over a substitution of the same name: the code is always the code.
      const data = { ...options.substitutions, ...twilio };
      return { personalizations: [{ to: [{ email: req.to }], dynamic_template_data: data }], from, template_id: templateId, custom_args };
    }
    const subject = rendering.subject ?? twilio.twilio_message;
    return {
      personalizations: [{ to: [{ email: req.to }] }],
      from,
      subject,
      // SendGrid wants text/plain first, then text/html.
      content: [
        { type: 'text/plain', value: rendering.body },
        { type: 'text/html', value: defaultHtml({ ...twilio, locale: req.locale, subject, body: rendering.body }) },
      ],
      custom_args,
    };
  }
}
