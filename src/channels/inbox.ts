import type { Clock } from '../domain/clock.js';
import type { InboxStore } from '../domain/ports.js';
import type { SendOutcome, SendRequest } from '../domain/verification/sending.js';
import type { Provider } from './provider.js';
import type { Rendering } from './render/index.js';

/**
 * The development provider: keeps the message a user would receive, so tests and developers read
 * codes from GET /inbox/messages instead of a phone. It is a carrier, not the verification store:
 * verifications themselves keep only keyed hashes of their codes.
 */
export class InboxProvider implements Provider {
  readonly channels = ['sms', 'call', 'whatsapp', 'email'] as const;

  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
    readonly name = 'inbox',
  ) {}

  async send(req: SendRequest, message: Rendering): Promise<SendOutcome> {
    const body = message.sendDigits ? `${message.body}\n[send digits: ${message.sendDigits}]` : message.body;
    await this.store.insertInboxMessage({
      accountSid: req.accountSid,
      serviceSid: req.serviceSid,
      verificationSid: req.verificationSid,
      attemptSid: req.attemptSid,
      to: req.to,
      channel: req.channel,
      locale: req.locale,
      subject: message.subject,
      body,
      code: req.code,
      dateCreated: this.clock.now().getTime(),
    });
    return { status: 'delivered' };
  }
}
