import { request } from 'undici';

/**
 * A failure worth trying again: the carrier's API was unreachable, too slow, overloaded or broken.
 * Providers throw it, and the send queue retries what was thrown.
 */
export class CarrierUnavailable extends Error {
  override readonly name = 'CarrierUnavailable';
}

/** What an HTTP API answered: the status, a header by its (lower-case) name, and the body read as JSON (undefined when it is not). */
export interface JsonAnswer {
  status: number;
  header(name: string): string | undefined;
  json: unknown;
}

/**
 * POSTs `body` as JSON with `headers`, through undici's request as the Twilio provider does (pooled
 * keep-alive connections, no WHATWG streams). Ends at `timeoutMs`, or sooner when `signal` aborts
 * (the send queue's deadline). A request that gets no answer throws CarrierUnavailable, whose
 * message never holds the body (it holds the code); every answer is returned, for the provider to judge.
 */
export async function postJson(url: string, headers: Record<string, string>, body: unknown, timeoutMs: number, signal: AbortSignal | undefined, what: string): Promise<JsonAnswer> {
  let status: number;
  let received: Record<string, string | string[] | undefined>;
  let text: string;
  try {
    const res = await request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs),
    });
    status = res.statusCode;
    received = res.headers;
    text = await res.body.text();
  } catch (err) {
    const e = err as { name?: string; message?: string };
    const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? (signal?.aborted ? 'cut off at the send deadline' : `timed out after ${timeoutMs} ms`) : (e.message ?? String(err));
    throw new CarrierUnavailable(`${what} unreachable: ${why}`);
  }
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  const header = (name: string) => {
    const v = received[name];
    return Array.isArray(v) ? v[0] : v;
  };
  return { status, header, json };
}
