import type { CodeChannel, SendOutcome, SendRequest } from '../domain/verification/sending.js';
import type { Rendering } from './render/index.js';

/**
 * One carrier of codes (the inbox, an SMTP server, an SMS API...). It gets the structured request
 * and verifyd's rendering of it, computed once by the caller: a provider that templates the
 * message itself (WhatsApp or SendGrid templates, a voice script reading digits) uses the code and
 * the template fields, the others send the rendering. Routing and retries live above it.
 */
export interface Provider {
  /** Unique among the configured providers; routes name it. */
  readonly name: string;
  readonly channels: readonly CodeChannel[];
  send(request: SendRequest, rendering: Rendering): Promise<SendOutcome>;
}
