import type { CloudEvent, DeliveryOutcome, WebhookSinkConfig } from '../domain/events/types.js';
import { signJsonRequest } from './signature.js';

/** Twilio: "The maximum timeout for a webhook Sink response is 5 seconds". */
export const WEBHOOK_TIMEOUT_MS = 5_000;

/**
 * Posts events to a webhook sink as one JSON array of CloudEvents, signed as Twilio signs JSON
 * webhooks. Credentials in the destination become a Basic Authorization header and are left out
 * of the URL that is requested and signed: the receiver never sees them in its request URL.
 * Any 2xx is an acknowledgement; anything else, a timeout or a network error is a failure.
 */
export async function postEvents(
  config: WebhookSinkConfig,
  events: CloudEvent[],
  authToken: string,
  timeoutMs: number = WEBHOOK_TIMEOUT_MS,
): Promise<DeliveryOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const target = new URL(config.destination);
  target.hash = '';
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'verifyd-event-streams' };
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const body = JSON.stringify(events);
  const signed = signJsonRequest(authToken, target.toString(), body);
  headers['x-twilio-signature'] = signed.signature;
  try {
    const res = await fetch(signed.url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // Drained so the connection goes back to the pool; what the receiver says is not needed.
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}`, latencyMs: elapsed() };
  } catch (err) {
    return { ok: false, statusCode: null, error: describe(err, timeoutMs), latencyMs: elapsed() };
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message ?? 'request failed'} (${cause})` : (e?.message ?? String(err));
}
