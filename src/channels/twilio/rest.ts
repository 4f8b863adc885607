import type { Dispatcher } from 'undici';
import { CarrierUnavailable, post, retryableStatus, turnedAway } from '../http-json.js';
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
export class TwilioUnavailable extends CarrierUnavailable {
  override readonly name = 'TwilioUnavailable';
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
  // Never the form in a message: it holds the code. The cause (undici's) tells a refused
  // connection from a lost answer.
  const { status, text } = await post(
    url,
    {
      headers: {
        authorization: `Basic ${Buffer.from(`${c.account_sid}:${c.auth_token}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
      },
      body: body.toString(),
      timeoutMs: c.timeout_ms,
      signal,
      dispatcher,
    },
    (message, cause) => new TwilioUnavailable(`${resource} API ${message}`, { cause }),
  );
  // 429 and 503 say the request was turned away; another 5xx may come after the message was created.
  if (retryableStatus(status)) throw new TwilioUnavailable(`${resource} API answered ${status}`, { notReached: turnedAway(status) });
  const json = parse(text);
  if (status >= 200 && status < 300) {
    if (!json || typeof json.sid !== 'string') throw new TwilioUnavailable(`${resource} API answered ${status} without a sid`);
    return { ok: true, body: json };
  }
  const code = typeof json?.code === 'number' ? json.code : null;
  return { ok: false, status, code, message: typeof json?.message === 'string' ? json.message : `HTTP ${status}` };
}
