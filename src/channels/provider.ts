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
  /**
   * Sends one code from the send queue (the inbox alone is written inline). Throw (or reject) when
   * the provider could not be reached or failed on its side (a timeout, a 5xx): the job is retried
   * with backoff. Report `failed`/`undelivered` with an error code when the provider refused the
   * message for good. `signal` aborts at the dispatcher's timeout; a provider with an idempotency
   * mechanism should key it on `request.attemptSid` (docs/delivery.md, "At most once").
   */
  send(request: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome>;
  /** Lets go of connections it keeps (a pool); called once, when verifyd shuts down. */
  close?(): void | Promise<void>;
}
