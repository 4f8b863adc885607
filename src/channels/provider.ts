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
  /**
   * Whether the carrier reports delivery later (status callbacks, delivery receipts). Only then can
   * a failure receipt, or a missing one, move a send on to the next provider of its route.
   */
  readonly sendsReceipts?: boolean;
  /** Lets go of connections it keeps (a pool); called once, when verifyd shuts down. */
  close?(): void | Promise<void>;
}

/**
 * Thrown by a provider when the carrier certainly did not take the message: no connection, a
 * refused TLS handshake, an answer such as 429 or 503 that says nothing was accepted. The send moves
 * on to the next provider of its route at once (a thrown error without it may hide an accepted
 * message, so it is retried on the same route later: docs/delivery.md, "Failover").
 */
export class ProviderNotReached extends Error {
  override readonly name = 'ProviderNotReached';
  readonly notReached = true;
}

/**
 * Socket and TLS errors raised before a request was written (Node's and undici's codes, and
 * nodemailer's for a connection it could not open): the carrier never saw the message.
 */
const BEFORE_REQUEST = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT', 'ECONNECTION', 'EDNS', 'ETLS',
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Whether a thrown send error says the carrier was not reached (this error or one of its causes). */
export function wasNotReached(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { notReached?: unknown; code?: unknown; command?: unknown };
    if (x.notReached === true) return true;
    if (typeof x.code === 'string' && BEFORE_REQUEST.has(x.code)) return true;
    // nodemailer: a timeout or socket error while still connecting.
    if (x.command === 'CONN' && (x.code === 'ETIMEDOUT' || x.code === 'ESOCKET')) return true;
  }
  return false;
}
