import type { CodeChannel, SendOutcome, SendRequest } from '../domain/verification/sending.js';
import type { Rendering } from './render/index.js';

/**
 * One carrier of codes (the inbox, an SMTP server, an SMS API...). It gets the structured request
 * and verifyd's rendering of it, computed once by the caller: a provider that templates the
 * message itself (WhatsApp or SendGrid templates, a voice script reading digits) uses the code and
 * the template fields, the others send the rendering. Routing and retries live above it.
 *
 * What `send` says about trying again: a returned outcome is final, whatever its status (a
 * `failed` one is a permanent refusal: trying again gets the same answer); a thrown error means the
 * carrier could not be reached or refused for now (no connection, a timeout, SMTP 4xx, HTTP 429 or
 * 5xx), and the same send may succeed later.
 */
export interface Provider {
  /** Unique among the configured providers; routes name it. */
  readonly name: string;
  readonly channels: readonly CodeChannel[];
  send(request: SendRequest, rendering: Rendering): Promise<SendOutcome>;
  /** Lets go of connections it keeps (a pool); called once, when verifyd shuts down. */
  close?(): void | Promise<void>;
}
