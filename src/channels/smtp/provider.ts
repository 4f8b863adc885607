import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import { SEND_FAILED_UNKNOWN, type SendOutcome, type SendRequest } from '../../domain/verification/sending.js';
import type { Provider } from '../provider.js';
import { Slots } from '../slots.js';
import { emailVariables, type Rendering } from '../render/index.js';
import type { SmtpSettings } from './settings.js';
import { defaultHtml } from './templates.js';

/** What a start's ChannelConfiguration may say to an e-mail provider (checked for shape by the API). */
interface EmailOptions {
  from?: string;
  from_name?: string;
  template_id?: string;
  substitutions?: Record<string, unknown>;
}

/**
 * E-mail over SMTP through a pool of connections (nodemailer). A message is an HTML and a text part
 * in the verification's locale: verifyd's default, or the template a start's `template_id` names,
 * filled with its `substitutions` and Twilio's `twilio_*` variables. Every header is one of
 * nodemailer's structured fields (from, to, subject), which encodes it; none is written raw.
 *
 * Outcomes: accepted by the server is `sent` (SMTP reports no delivery) with the Message-ID; a
 * permanent refusal (a 5xx reply, such as a rejected recipient or failed AUTH) or an unknown
 * template is `failed`, 30008; anything else that goes wrong (a 4xx reply, no connection, a timeout)
 * is thrown, which says the send may succeed if tried again (src/channels/provider.ts).
 */
export class SmtpProvider implements Provider {
  readonly channels = ['email'] as const;
  private readonly transport: Transporter<SMTPPool.SentMessageInfo>;
  // One message per pooled connection at a time: nodemailer's own queue cannot be called off.
  private readonly slots: Slots;

  constructor(
    readonly name: string,
    private readonly settings: SmtpSettings,
  ) {
    const s = settings;
    this.slots = new Slots(s.pool.maxConnections);
    this.transport = nodemailer.createTransport({
      pool: true,
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: !s.secure && s.requireTls,
      auth: s.auth ?? undefined,
      tls: { ca: s.ca ?? undefined, rejectUnauthorized: s.rejectUnauthorized, minVersion: 'TLSv1.2' },
      maxConnections: s.pool.maxConnections,
      maxMessages: s.pool.maxMessages,
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
      // nodemailer would otherwise log through its own logger (and could print message bodies: the code).
      logger: false,
      debug: false,
    });
  }

  async send(request: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    const options = (request.channelConfiguration ?? {}) as EmailOptions;
    const message = this.compose(request, rendering, options);
    if (!message) return { status: 'failed', errorCode: SEND_FAILED_UNKNOWN };
    try {
      const mail = { from: { address: options.from ?? this.settings.from.address, name: options.from_name ?? this.settings.from.name }, to: request.to, ...message };
      const info = await this.slots.run(() => this.transport.sendMail(mail), signal);
      return { status: 'sent', providerMessageId: info.messageId };
    } catch (err) {
      if (isPermanent(err)) return { status: 'failed', errorCode: SEND_FAILED_UNKNOWN };
      throw err;
    }
  }

  /** The subject and both parts; null when the start names a template this provider does not have. */
  private compose(request: SendRequest, rendering: Rendering, options: EmailOptions): { subject: string; html: string; text: string } | null {
    const twilio = emailVariables(request);
    const subject = rendering.subject ?? twilio.twilio_message;
    if (options.template_id === undefined) {
      return { subject, text: rendering.body, html: defaultHtml({ ...twilio, locale: request.locale, subject, body: rendering.body }) };
    }
    const template = this.settings.templates.get(options.template_id);
    if (!template) return null;
    // Twilio's variables win over a substitution of the same name: the code is always the code.
    const vars = { ...options.substitutions, ...twilio };
    return {
      subject: oneLine(template.subject?.(vars) ?? subject),
      html: template.html(vars),
      text: template.text?.(vars) ?? rendering.body,
    };
  }

  close(): void {
    this.transport.close();
  }
}

// A subject is one header line whatever a template or a substitution puts in it.
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** A 5xx reply: the server will refuse this message again (RFC 5321 §4.2.1). */
function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}
