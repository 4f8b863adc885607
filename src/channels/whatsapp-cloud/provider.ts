import type { CodeChannel, SendOutcome, SendRequest } from '../../domain/verification/sending.js';
import type { Agent } from 'undici';
import { agentWithConnectTimeout } from '../http-agent.js';
import { CarrierUnavailable, postJson, retryableStatus, turnedAway } from '../http-json.js';
import type { Provider } from '../provider.js';
import type { Rendering } from '../render/index.js';
import { isTemporary, metaErrorCode, twilioCodeFor } from './errors.js';
import { metaLanguage, type WhatsappCloudSettings } from './settings.js';

/**
 * WhatsApp through Meta's Cloud API: the code goes out in the account's approved AUTHENTICATION
 * template (the only kind WhatsApp allows for codes), once as the body's parameter and once as
 * the copy-code (or one-tap) button's, as Meta's documentation requires. verifyd's own wording is
 * not used: the template's text is Meta's fixed one.
 *
 * Outcomes: Meta's answer names the message (`wamid.…`), recorded as `queued` (accepted, not yet
 * sent, as a created Twilio message); the status webhooks move it on. A refusal is `failed` with
 * the Twilio code of src/channels/whatsapp-cloud/errors.ts; throttling, 5xx and no answer are thrown.
 */
export class WhatsappCloudProvider implements Provider {
  readonly channels: readonly CodeChannel[] = ['whatsapp'];
  // Meta's status webhooks report delivery and failure: failover may wait for them (docs/delivery.md, "Failover").
  readonly sendsReceipts = true;
  /** Its own connection pool, so `connect_timeout_ms` bounds connecting (a refused or silent host is "not reached"). */
  private readonly agent: Agent;

  constructor(
    readonly name: string,
    private readonly settings: WhatsappCloudSettings,
  ) {
    this.agent = agentWithConnectTimeout(settings.connect_timeout_ms);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  /** The app secret the webhooks are signed with. */
  get appSecret(): string {
    return this.settings.app_secret;
  }

  /** The business phone number it sends from, as webhooks name it (`metadata.phone_number_id`). */
  get phoneNumberId(): string {
    return this.settings.phone_number_id;
  }

  /** What Meta's subscription handshake must present. */
  get verifyToken(): string {
    return this.settings.verify_token;
  }

  /** The rendering is not used: the template's text is Meta's. */
  async send(req: SendRequest, _rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    if (req.channel !== 'whatsapp') throw new Error(`provider ${this.name} sends whatsapp only`);
    const s = this.settings;
    const url = `${s.api_base_url}/${s.api_version}/${encodeURIComponent(s.phone_number_id)}/messages`;
    const answer = await postJson(url, { authorization: `Bearer ${s.access_token}` }, this.message(req), { timeoutMs: s.timeout_ms, signal, dispatcher: this.agent }, 'WhatsApp Cloud API');
    const error = (answer.json as { error?: unknown } | undefined)?.error;
    if (answer.status >= 200 && answer.status < 300) {
      const id = (answer.json as { messages?: Array<{ id?: unknown }> } | undefined)?.messages?.[0]?.id;
      if (typeof id !== 'string' || id === '') throw new CarrierUnavailable(`WhatsApp Cloud API answered ${answer.status} without a message id`);
      return { status: 'queued', providerMessageId: id };
    }
    const code = metaErrorCode(error);
    if (retryableStatus(answer.status) || isTemporary(code)) {
      throw new CarrierUnavailable(`WhatsApp Cloud API answered ${answer.status}${code === null ? '' : ` (error ${code})`}`, { notReached: turnedAway(answer.status) });
    }
    return { status: 'failed', errorCode: twilioCodeFor(code) };
  }

  /** The Messages endpoint's body for an authentication template. */
  private message(req: SendRequest) {
    const code = [{ type: 'text', text: req.code }];
    return {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      // Meta takes the number as digits, with the country code and without the +.
      to: req.to.replace(/\D/g, ''),
      type: 'template',
      template: {
        name: this.settings.template_name,
        language: { code: this.settings.template_language ?? metaLanguage(req.locale) },
        components: [
          { type: 'body', parameters: code },
          { type: 'button', sub_type: 'url', index: '0', parameters: code },
        ],
      },
    };
  }
}
