import type { Clock } from '../domain/clock.js';
import type { Delivery, DeliveryRequest, DeliveryResult, InboxStore } from '../domain/ports.js';
import { render } from './render/index.js';

/**
 * The development provider: renders the message a user would receive and keeps it, so tests and
 * developers read codes from GET /inbox/messages instead of a phone. It is a delivery target, not
 * the verification store: verifications themselves keep only keyed hashes of their codes.
 */
export class InboxDelivery implements Delivery {
  constructor(
    private readonly store: InboxStore,
    private readonly clock: Clock,
  ) {}

  async deliver(req: DeliveryRequest): Promise<DeliveryResult> {
    const message = render({
      channel: req.channel,
      locale: req.locale,
      friendlyName: req.friendlyName,
      code: req.code,
      doNotShareWarning: req.doNotShareWarning,
      appHash: req.appHash,
      amount: req.amount,
      payee: req.payee,
      sendDigits: req.sendDigits,
      ttlMinutes: req.ttlMinutes,
    });
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
    return { messageStatus: 'delivered', errorCode: null };
  }
}
