import type { CodeChannel, CodeSender, InlineSendTx, SendOutcome, SendRequest } from '../domain/verification/sending.js';
import { InboxProvider } from './inbox.js';
import type { Provider } from './provider.js';
import type { ProviderRegistry } from './registry.js';
import { render } from './render/index.js';

/**
 * The domain's CodeSender over the registry: renders once, then hands the message to the channel's
 * provider. The inbox is written in the start's transaction; every other provider from the queue.
 */
export class ProviderSender implements CodeSender {
  constructor(private readonly registry: ProviderRegistry) {}

  carries(channel: CodeChannel): boolean {
    return this.registry.route(channel).length > 0;
  }

  sendsInline(channel: CodeChannel): boolean {
    return this.first(channel) instanceof InboxProvider;
  }

  sendInline(request: SendRequest, tx: InlineSendTx): Promise<SendOutcome> {
    const provider = this.first(request.channel);
    if (!(provider instanceof InboxProvider)) throw new Error(`the ${request.channel} route is queued, not inline`);
    return provider.sendInline(tx, request, render(request));
  }

  async send(request: SendRequest, signal: AbortSignal): Promise<SendOutcome> {
    const provider = this.first(request.channel);
    const outcome = await provider.send(request, render(request), signal);
    // Receipts name the provider and its message id: both are recorded on the attempt.
    return { ...outcome, providerName: provider.name };
  }

  /** Only the first provider of a route is used until failover is built. */
  private first(channel: CodeChannel): Provider {
    const [provider] = this.registry.route(channel);
    if (!provider) throw new Error(`no provider is routed for ${channel}`);
    return provider;
  }
}
