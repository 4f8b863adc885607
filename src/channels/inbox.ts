import type { Clock } from '../domain/clock.js';
import type { InboxStore } from '../domain/ports.js';
import type { InlineSendTx, SendOutcome, SendRequest } from '../domain/verification/sending.js';
import type { Provider } from './provider.js';
import type { Rendering } from './render/index.js';

/**
 * The development provider: keeps the message a user would receive, so tests and developers read
 * codes from GET /inbox/messages instead of a phone. It is a carrier, not the verification store:
 * verifications themselves keep only keyed hashes of their codes. Being the database itself, it is
 * written in the start's own transaction (sendInline), never queued: a test that reads the inbox
 * right after a start finds the message.
 */
export class InboxProvider implements Provider {
  readonly channels = ['sms', 'call', 'whatsapp', 'email'] as const;

  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
    readonly name = 'inbox',
  ) {}

  send(req: SendRequest, message: Rendering): Promise<SendOutcome> {
    return this.sendInline(this.store, req, message);
  }

  async sendInline(tx: InlineSendTx, req: SendRequest, message: Rendering): Promise<SendOutcome> {
    const body = message.sendDigits ? `${message.body}\n[send digits: ${message.sendDigits}]` : message.body;
    await tx.insertInboxMessage({
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
