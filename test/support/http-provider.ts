/**
 * A provider for the send-queue tests that talks to a real local HTTP server (a Receiver), so a
 * provider that is down, hangs or answers 5xx is a real fault on a real socket. It POSTs the
 * message as JSON to `/messages` and takes 2xx as accepted (`sent`, with an id naming the
 * attempt); anything else, or no answer, is a throw, which the dispatcher retries. With `gate`,
 * it first waits for GET `/gate`: the process tests hold that to stop a send before it is made.
 * With `keepsGoing`, it does not pass the dispatcher's signal on, as a carrier that cannot call a
 * send off once it is under way (an SMTP transaction); `aborted` lists the attempts whose signal fired.
 */
import type { Provider } from '../../src/channels/provider.js';
import type { Rendering } from '../../src/channels/render/index.js';
import type { CodeChannel, SendOutcome, SendRequest } from '../../src/domain/verification/sending.js';

export interface SentMessage {
  attemptSid: string;
  to: string;
  channel: string;
  code: string;
  body: string;
}

export class HttpProvider implements Provider {
  constructor(
    readonly name: string,
    readonly channels: readonly CodeChannel[],
    private readonly origin: string,
    private readonly gate = false,
    private readonly keepsGoing = false,
  ) {}

  readonly aborted: string[] = [];

  async send(request: SendRequest, rendering: Rendering, given?: AbortSignal): Promise<SendOutcome> {
    given?.addEventListener('abort', () => this.aborted.push(request.attemptSid), { once: true });
    const signal = this.keepsGoing ? undefined : given;
    if (this.gate) await this.call('GET', '/gate', undefined, signal);
    const message: SentMessage = { attemptSid: request.attemptSid, to: request.to, channel: request.channel, code: request.code, body: rendering.body };
    await this.call('POST', '/messages', JSON.stringify(message), signal);
    return { status: 'sent', providerMessageId: `msg-${request.attemptSid}` };
  }

  private async call(method: string, path: string, body: string | undefined, signal?: AbortSignal): Promise<void> {
    const res = await fetch(this.origin + path, { method, body, signal, headers: body ? { 'content-type': 'application/json' } : {} });
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`provider answered ${res.status}`);
  }
}
