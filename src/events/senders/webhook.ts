import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent, fetch } from 'undici';
import { BLOCKED, literalRefusal, type BlockedNetworks } from '../../domain/events/networks.js';
import type { CloudEvent, DeliveryOutcome, OutboxEvent, WebhookSinkConfig } from '../../domain/events/types.js';
import type { AuthTokens } from '../auth-tokens.js';
import { signJsonRequest } from '../signature.js';
import type { SinkOf, SinkSender } from './sender.js';

/** Events per request for sinks with batch_events. */
export const WEBHOOK_BATCH = 100;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** Every address a host name resolves to. */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/** The system's resolver (getaddrinfo: /etc/hosts, then DNS), as Node's own connections use. */
const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true });

/** What is read of a receiver's answer at most; nothing in it is used. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * Posts events to webhook sinks, signed with their account's auth token. Connections go through an
 * agent of its own whose DNS lookup drops addresses in blocked networks: the check sits where the
 * socket is opened, so a name that resolved to a public address when it was checked cannot resolve
 * to a private one when it is used.
 */
export class WebhookSender implements SinkSender<'webhook'> {
  private readonly agent: Agent;

  constructor(
    private readonly blocked: BlockedNetworks,
    private readonly authTokens: Pick<AuthTokens, 'get'>,
    private readonly resolve: Resolver = systemResolver,
  ) {
    this.agent = new Agent({ connect: { lookup: this.guardedLookup } });
  }

  requestSize(sink: SinkOf<'webhook'>): number {
    return sink.config.batch_events ? WEBHOOK_BATCH : 1;
  }

  /** One request for all the events: they are acknowledged, or not, together. */
  async send(sink: SinkOf<'webhook'>, events: OutboxEvent[], timeoutMs: number): Promise<DeliveryOutcome[]> {
    const token = await this.authTokens.get(sink.accountSid);
    const outcome: DeliveryOutcome = token === undefined
      ? { ok: false, statusCode: null, error: 'account not found', latencyMs: 0 }
      : await this.post(sink.config, events.map((e) => e.payload), token, timeoutMs);
    return events.map(() => outcome);
  }

  /** net's lookup contract: one address, or every address when `all` is set (happy eyeballs). */
  private readonly guardedLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    this.resolve(hostname).then(
      (resolved) => {
        const addresses = options.family === 4 || options.family === 6 ? resolved.filter((a) => a.family === options.family) : resolved;
        const allowed = addresses.filter((a) => !this.blocked.blocks(a.address));
        if (allowed.length === 0) {
          const message = addresses.length === 0 ? `${hostname} has no address` : `${hostname} resolves only to ${addresses.map((a) => a.address).join(', ')}, ${BLOCKED}`;
          return callback(Object.assign(new Error(message), { code: 'EBLOCKED' }), options.all ? [] : '');
        }
        if (options.all) return callback(null, allowed);
        callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, options.all ? [] : ''),
    );
  };

  /**
   * Posts one JSON array of CloudEvents, signed as Twilio signs JSON webhooks. Credentials in the
   * destination become a Basic Authorization header and are left out of the URL that is requested
   * and signed: the receiver never sees them in its request URL. Any 2xx is an acknowledgement;
   * anything else, a timeout, a network error or a blocked address is a failure.
   */
  async post(config: WebhookSinkConfig, events: CloudEvent[], authToken: string, timeoutMs: number): Promise<DeliveryOutcome> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const target = new URL(config.destination);
    target.hash = '';
    // An address written in the URL is connected to without a lookup, so it is judged here.
    const refused = literalRefusal(this.blocked, target);
    if (refused) return { ok: false, statusCode: null, error: refused, latencyMs: elapsed() };
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
      const res = await fetch(signed.url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        dispatcher: this.agent,
      });
      await discard(res.body);
      const ok = res.status >= 200 && res.status < 300;
      return { ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}`, latencyMs: elapsed() };
    } catch (err) {
      return { ok: false, statusCode: null, error: describe(err, timeoutMs), latencyMs: elapsed() };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * Reads the answer to its end, so the connection goes back to the pool, but no more than
 * MAX_RESPONSE_BYTES of it: a larger one is cut off with its connection.
 */
async function discard(body: AsyncIterable<Uint8Array> | null): Promise<void> {
  if (!body) return;
  let read = 0;
  try {
    for await (const chunk of body) {
      read += chunk.byteLength;
      if (read > MAX_RESPONSE_BYTES) break;
    }
  } catch {
    // The answer's status is what counts; a body that breaks off changes nothing.
  }
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  if (e?.cause?.code === 'EBLOCKED') return e.cause.message ?? 'blocked';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e?.message ?? 'request failed'} (${cause})` : (e?.message ?? String(err));
}
