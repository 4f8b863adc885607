import { request, type Dispatcher } from 'undici';
import { z } from 'zod';

/**
 * A failure worth trying again: the carrier's API was unreachable, too slow, overloaded or broken.
 * Providers throw it, and the send queue retries what was thrown. `notReached` says the carrier
 * certainly took nothing (an answer of 429 or 503); a connection that failed before the request
 * says so through its `cause` (src/channels/provider.ts, wasNotReached): failover moves on at once.
 */
export class CarrierUnavailable extends Error {
  override readonly name: string = 'CarrierUnavailable';
  readonly notReached: boolean;

  constructor(message: string, opts: { cause?: unknown; notReached?: boolean } = {}) {
    super(message, { cause: opts.cause });
    this.notReached = opts.notReached ?? false;
  }
}

/** Answers worth trying again (here or at the next carrier): 429 (slow down) and any 5xx. */
export const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** Answers that say the request was turned away, nothing taken: 429 (slow down) and 503 (unavailable). */
export const turnedAway = (status: number): boolean => status === 429 || status === 503;

/** A provider's `timeout_ms`: per request to its API; a timeout is retried like any other transport failure. */
export const timeoutSetting = z.int().min(100).max(120_000).default(10_000);

/** A provider's `connect_timeout_ms`: how long connecting (TCP and TLS) may take before the carrier counts as not reached. */
export const connectTimeoutSetting = z.int().min(50).max(60_000).default(3_000);

/** What an HTTP API answered: the status, a header by its (lower-case) name, and the body. */
export interface Posted {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

export interface PostInit {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** The send queue's deadline. */
  signal: AbortSignal | undefined;
  /** The provider's connection pool (http-agent.ts); none: undici's global one. */
  dispatcher?: Dispatcher;
}

/**
 * POSTs `body` through undici's request (pooled keep-alive connections, no WHATWG streams). Ends at
 * `timeoutMs`, or sooner when `signal` aborts. A request that gets no answer throws what `fail`
 * makes of a message that never holds the body (it holds the code) and undici's error as the cause
 * (which tells a connection never made from an answer lost); every answer is returned.
 */
export async function post(url: string, init: PostInit, fail: (message: string, cause: unknown) => Error): Promise<Posted> {
  const { signal, timeoutMs } = init;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: init.headers,
      body: init.body,
      dispatcher: init.dispatcher,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    const header = (name: string) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    return { status: res.statusCode, header, text };
  } catch (err) {
    const e = err as { name?: string; message?: string };
    const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? (signal?.aborted ? 'cut off at the send deadline' : `timed out after ${timeoutMs} ms`) : (e.message ?? String(err));
    throw fail(`unreachable: ${why}`, err);
  }
}

/** What a JSON API answered: as Posted, with the body read as JSON (undefined when it is not). */
export interface JsonAnswer {
  status: number;
  header(name: string): string | undefined;
  json: unknown;
}

/** POSTs `body` as JSON (see post); a request that gets no answer throws CarrierUnavailable. */
export async function postJson(url: string, headers: Record<string, string>, body: unknown, init: Omit<PostInit, 'headers' | 'body'>, what: string): Promise<JsonAnswer> {
  const answer = await post(
    url,
    { ...init, headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) },
    (message, cause) => new CarrierUnavailable(`${what} ${message}`, { cause }),
  );
  let json: unknown;
  try {
    json = answer.text === '' ? undefined : JSON.parse(answer.text);
  } catch {
    json = undefined;
  }
  return { status: answer.status, header: answer.header, json };
}
