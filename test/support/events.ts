/**
 * Helpers for the Event Streams delivery tests: sinks and subscriptions made through the official
 * SDK (client.events.v1), the signature check a receiver would do with the SDK's validator, and
 * waiting for the dispatcher to settle deliveries.
 */
import assert from 'node:assert/strict';
import type { Kysely } from 'kysely';
import twilio from 'twilio';
import type { CloudEvent, DeliveryStatus } from '../../src/domain/events/types.js';
import type { Database } from '../../src/storage/schema.js';
import { Receiver, type ReceivedRequest } from './receiver.js';
import { setup, type Account, type TestServer } from './server.js';

const PREFIX = 'com.twilio.accountsecurity.verify.verification.';
export const T = {
  pending: `${PREFIX}pending`,
  approved: `${PREFIX}approved`,
  canceled: `${PREFIX}canceled`,
  expired: `${PREFIX}expired`,
  maxAttempts: `${PREFIX}max-attempts-reached`,
} as const;
export const ALL_TYPES: string[] = Object.values(T);

export interface WebhookOptions {
  batch?: boolean;
  /** Types the subscription includes (all five when absent). */
  types?: string[];
}

/** A webhook sink on `destination` with one subscription to `types`, created through the SDK as a user would. */
export async function subscribeWebhook(acct: Account, destination: string, opts: WebhookOptions = {}): Promise<{ sinkSid: string; subscriptionSid: string }> {
  const sink = await acct.client.events.v1.sinks.create({
    description: 'delivery test',
    sinkType: 'webhook',
    sinkConfiguration: { destination, method: 'POST', batch_events: opts.batch ?? false },
  });
  const sub = await acct.client.events.v1.subscriptions.create({
    description: 'delivery test',
    sinkSid: sink.sid,
    types: (opts.types ?? ALL_TYPES).map((type) => ({ type, schema_version: 2 })),
  });
  return { sinkSid: sink.sid, subscriptionSid: sub.sid };
}

/** The URL the request arrived at, as a receiver behind no proxy would rebuild it. */
export const receivedUrl = (req: ReceivedRequest): string => `http://${req.headers.host}${req.url}`;

/** Whether the official SDK's validator accepts this request's X-Twilio-Signature for `authToken`. */
export function signatureValid(authToken: string, req: ReceivedRequest, url = receivedUrl(req), body = req.body): boolean {
  const header = req.headers['x-twilio-signature'];
  if (typeof header !== 'string') return false;
  return twilio.validateRequestWithBody(authToken, header, url, body);
}

/** Every request the receiver got validates for this account, and would not for a tampered body. */
export function assertSigned(receiver: Receiver, authToken: string): void {
  assert.ok(receiver.requests.length > 0, 'no request to check');
  for (const req of receiver.requests) {
    assert.ok(signatureValid(authToken, req), `signature rejected for ${req.url}`);
    assert.equal(signatureValid(authToken, req, undefined, req.body + ' '), false, 'a changed body must not validate');
  }
}

/** The requests that carried an event with this id (one per attempt). */
export const requestsFor = (receiver: Receiver, id: string): ReceivedRequest[] =>
  receiver.requests.filter((r) => (r.events ?? []).some((e) => e.id === id));

/**
 * Waits until every delivery of the event is settled (delivered or failed, not pending) and
 * returns them. The receiver sees a request before the dispatcher records its outcome, so tests
 * that read the attempt history wait here first.
 */
export async function settled(server: TestServer, eventId: string, timeoutMs = 10_000): Promise<DeliveryStatus[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await server.stores.outbox.deliveryStatus(eventId);
    if (status.length > 0 && status.every((d) => d.state !== 'pending')) return status;
    if (Date.now() > deadline) throw new Error(`deliveries of ${eventId} not settled after ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The outbox rows of an account, read straight from the events table: the store has no listing
 * of events (only deliveryStatus by id), and "nothing was written" cannot be seen at a receiver.
 */
export async function outbox(server: TestServer, accountSid: string): Promise<Array<{ id: string; type: string; payload: CloudEvent }>> {
  const db = (server.stores as unknown as { db: Kysely<Database> }).db;
  const rows = await db.selectFrom('events').select(['id', 'type', 'payload']).where('account_sid', '=', accountSid).orderBy('date_created').execute();
  return rows.map((r) => ({ id: r.id, type: r.type, payload: JSON.parse(r.payload) as CloudEvent }));
}

/** Every delivery row with its state and how many attempts were recorded for it (whole-database counts). */
export async function allDeliveries(server: TestServer): Promise<Array<{ eventId: string; state: string; attempts: number; recorded: number }>> {
  const db = (server.stores as unknown as { db: Kysely<Database> }).db;
  const rows = await db
    .selectFrom('event_deliveries as d')
    .leftJoin('event_delivery_attempts as a', 'a.delivery_id', 'd.id')
    .select((eb) => ['d.event_id', 'd.state', 'd.attempts', eb.fn.count('a.id').as('recorded')])
    .groupBy(['d.id', 'd.event_id', 'd.state', 'd.attempts'])
    .execute();
  return rows.map((r) => ({ eventId: r.event_id, state: r.state, attempts: Number(r.attempts), recorded: Number(r.recorded) }));
}

/** Events of one verification, in arrival order. */
export const ofVerification = (events: CloudEvent[], sid: string): CloudEvent[] => events.filter((e) => e.data.verification_sid === sid);

/** A code of the right length that is not `code`. */
export const wrongCode = (code: string): string => code.split('').map((d) => String((Number(d) + 1) % 10)).join('');

/**
 * Two accounts with event subscriptions and two receivers closed after the test: `stuck` never
 * answers (its requests hang), `healthy` acknowledges. The accounts' sinks are the caller's to make.
 */
export async function hangingAndHealthy(t: { after(fn: () => Promise<unknown>): void }, server: TestServer) {
  const stuck = await Receiver.start();
  const healthy = await Receiver.start();
  t.after(() => Promise.all([stuck.close(), healthy.close()]));
  stuck.answer('hang');
  const a = await setup(server, { verifyEventSubscriptionEnabled: true });
  const b = await setup(server, { verifyEventSubscriptionEnabled: true });
  return { stuck, healthy, a, b };
}
