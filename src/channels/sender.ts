import type { CodeChannel, CodeSender, SendOutcome, SendRequest } from '../domain/verification/sending.js';
import type { ProviderRegistry } from './registry.js';
import { render } from './render/index.js';

/** The domain's CodeSender over the registry: renders once, then hands the message to the channel's provider. */
export class ProviderSender implements CodeSender {
  constructor(private readonly registry: ProviderRegistry) {}

  carries(channel: CodeChannel): boolean {
    return this.registry.route(channel).length > 0;
  }

  async send(request: SendRequest): Promise<SendOutcome> {
    // Only the first provider of a route is used until failover is built.
    const [provider] = this.registry.route(request.channel);
    if (!provider) throw new Error(`no provider is routed for ${request.channel}`);
    const outcome = await provider.send(request, render(request));
    // Receipts name the provider and its message id: both are recorded on the attempt.
    return { ...outcome, providerName: provider.name };
  }
}
