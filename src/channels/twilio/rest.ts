import { request, type Dispatcher } from 'undici';
import { parseJsonObject as parse } from '../json-object.js';
import type { TwilioProviderConfig } from './config.js';

/** A form field given once or repeated (StatusCallbackEvent). */
export type Form = Record<string, string | readonly string[] | undefined>;

/** What the API answered: the resource it created, or the error it refused the request with. */
export type RestAnswer = { ok: true; body: Record<string, unknown> } | { ok: false; status: number; code: number | null; message: string };

/**
 * A failure worth trying again: the API was unreachable, too slow, overloaded (429) or broken
 * (5xx). Providers throw it, and the caller retries what was thrown.
 */
export class TwilioUnavailable extends Error {
  override readonly name = 'TwilioUnavailable';
  /** The API certainly took nothing (429, 503, no connection): failover may move on at once. */
  readonly notReached: boolean;

  constructor(message: string, opts: { cause?: unknown; notReached?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.notReached = opts.notReached ?? false;
  }
}

/**
 * POSTs a form to `/2010-04-01/Accounts/{AccountSid}/{resource}.json` with the account's Basic
 * credentials. Ends at `timeout_ms`, or sooner when `signal` aborts (the send queue's deadline, so
 * no request outlives the lease it was made under).
 */
export async function createResource(c: TwilioProviderConfig, resource: 'Messages' | 'Calls', form: Form, signal?: AbortSignal, dispatcher?: Dispatcher): Promise<RestAnswer> {
  const url = `${c.api_base_url}/2010-04-01/Accounts/${encodeURIComponent(c.account_sid)}/${resource}.json`;
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    if (v === undefined) continue;
    for (const one of typeof v === 'string' ? [v] : v) body.append(k, one);
  }
  let status: number;
  let text: string;
  try {
    // undici's request, not fetch: the same pooled keep-alive connections without the WHATWG
    // streams and Response objects, which a profile of the send queue showed among its top costs.
    const res = await request(url, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.account_sid}:${c.auth_token}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: body.toString(),
      dispatcher,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(c.timeout_ms)]) : AbortSignal.timeout(c.timeout_ms),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    // Never the form in the message: it holds the code.
    const e = err as { name?: string; message?: string };
    const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? (signal?.aborted ? 'cut off at the send deadline' : `timed out after ${c.timeout_ms} ms`) : (e.message ?? String(err));
    // The cause (undici's, without the form) tells a refused connection from a lost answer.
    throw new TwilioUnavailable(`${resource} API unreachable: ${why}`, { cause: err });
  }
  // 429 and 503 say the request was turned away; another 5xx may come after the message was created.
  if (status === 429 || status >= 500) throw new TwilioUnavailable(`${resource} API answered ${status}`, { notReached: status === 429 || status === 503 });
  const json = parse(text);
  if (status >= 200 && status < 300) {
    if (!json || typeof json.sid !== 'string') throw new TwilioUnavailable(`${resource} API answered ${status} without a sid`);
    return { ok: true, body: json };
  }
  const code = typeof json?.code === 'number' ? json.code : null;
  return { ok: false, status, code, message: typeof json?.message === 'string' ? json.message : `HTTP ${status}` };
}
