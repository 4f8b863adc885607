import { enforceApiThrottle } from '../api-throttle.js';
import type { Clock } from '../clock.js';
import { eventsInvalidParam, eventsMissingParam, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import { withinQuota, type Quotas } from '../quotas.js';
import { MissingParent, type ApiThrottleStore, type PageQuery } from '../ports.js';
import { TEST_EVENT_TYPE } from './catalog.js';
import { testEvent } from './cloudevent.js';
import { literalRefusal, type BlockedNetworks } from './networks.js';
import type { OutboxStore, SinkStore } from './ports.js';
import type { KinesisSinkConfig, OutboxEvent, Sink, SinkStatus, WebhookSinkConfig } from './types.js';

/** What the Event Streams use cases need. */
export interface EventDeps {
  store: SinkStore;
  /** Where sink tests are written (events outside any verification). */
  outbox: Pick<OutboxStore, 'enqueueEvent' | 'findTestEvent'>;
  clock: Clock;
  ids: IdGenerator;
  /** Where webhooks are never sent (EVENTS_WEBHOOK_BLOCKED_NETWORKS). */
  blockedNetworks: BlockedNetworks;
  /** Counts sink tests (SINK_TESTS_PER_MINUTE), shared by every node on the database. */
  throttle: Pick<ApiThrottleStore, 'hitApiThrottle'>;
  /** At most this many sinks and subscriptions per account (ACCOUNT_MAX_SINKS, ACCOUNT_MAX_SUBSCRIPTIONS). */
  quotas: Pick<Quotas, 'sinks' | 'subscriptions'>;
}

/**
 * Tests per minute per sink. Each one makes the dispatcher send a request to a destination the
 * caller chose; unlimited, an account could aim the server's traffic at a host (its own network's,
 * where loopback and private are allowed) as fast as it can post.
 */
export const SINK_TESTS_PER_MINUTE = 10;

export const SINK_STATUSES: readonly SinkStatus[] = ['initialized', 'validating', 'active', 'failed'];

/** A sink's type with the configuration of that type, already checked for syntax (a webhook's destination is an http(s) URL). */
export type SinkSpec = { sinkType: 'webhook'; config: WebhookSinkConfig } | { sinkType: 'kinesis'; config: KinesisSinkConfig };

/** A new sink as the API parsed it; its description has passed requiredText. */
export type NewSink = SinkSpec & { description: string };

/**
 * A required free-text parameter: absent, empty or only blanks is missing. The API applies it to
 * what it reads before anything is looked up (Description on create), the use cases to what Twilio
 * checks only once the resource is found (TestId, Description on update).
 */
export function requiredText(name: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw eventsMissingParam(name);
  return value;
}

/** Twilio documents no limit on a sink's or subscription's Description; verifyd keeps this many characters (docs/wire-decisions.md). */
export const MAX_DESCRIPTION = 255;

/** A Description that is not too long (`text` has passed requiredText, or is at least not blank). */
export function boundedDescription(text: string): string {
  if ([...text].length > MAX_DESCRIPTION) throw eventsInvalidParam('Description', `must be at most ${MAX_DESCRIPTION} characters`);
  return text;
}

const sinkPath = (sid: string) => `/Sinks/${sid}`;

export async function createSink(deps: EventDeps, accountSid: string, input: NewSink): Promise<Sink> {
  const { description, sinkType, config } = input;
  if (input.sinkType === 'webhook') refuseBlockedAddress(deps.blockedNetworks, input.config.destination);
  const now = deps.clock.now().getTime();
  // Twilio's current docs: sinks need no validation and are active from the start.
  const sink: Sink = { sid: deps.ids('DG'), accountSid, description, sinkType, config, status: 'active', dateCreated: now, dateUpdated: now };
  await withinQuota('sinks', () => deps.store.insertSink(sink, deps.quotas.sinks));
  return sink;
}

export async function getSink(deps: EventDeps, accountSid: string, sid: string): Promise<Sink> {
  const sink = await deps.store.getSink(accountSid, sid);
  if (!sink) throw notFound(sinkPath(sid));
  return sink;
}

export function listSinks(
  deps: EventDeps,
  accountSid: string,
  filter: { inUse?: boolean; status?: SinkStatus },
  page: PageQuery,
): Promise<Sink[]> {
  return deps.store.listSinks(accountSid, filter, page);
}

export async function updateSink(deps: EventDeps, accountSid: string, sid: string, description: string | undefined): Promise<Sink> {
  const text = boundedDescription(requiredText('Description', description));
  const updated = await deps.store.updateSinkDescription(accountSid, sid, text, deps.clock.now().getTime());
  if (!updated) throw notFound(sinkPath(sid));
  return updated;
}

export async function deleteSink(deps: EventDeps, accountSid: string, sid: string): Promise<void> {
  if (!(await deps.store.deleteSink(accountSid, sid))) throw notFound(sinkPath(sid));
}

/**
 * Queues a test event for this one sink, at most SINK_TESTS_PER_MINUTE a minute (then 429 20429
 * with Retry-After). Its data.test_id is what Validate takes; the dispatcher delivers it like any
 * other event.
 */
export async function testSink(deps: EventDeps, accountSid: string, sid: string): Promise<OutboxEvent> {
  if (!(await deps.store.getSink(accountSid, sid))) throw notFound(`${sinkPath(sid)}/Test`);
  // Counted once the sink is found: an unknown SID costs no counter row. The account is in the
  // bucket too, so nobody else's requests can use up a sink's tests.
  await enforceApiThrottle(deps.throttle, deps.clock, `sink-test:${accountSid}:${sid}`, SINK_TESTS_PER_MINUTE);
  const now = deps.clock.now().getTime();
  const id = deps.ids('NO');
  const testId = deps.ids('TE');
  const event: OutboxEvent = {
    id,
    accountSid,
    type: TEST_EVENT_TYPE,
    partitionKey: sid,
    payload: testEvent(id, accountSid, sid, testId, now),
    testId,
    dateCreated: now,
  };
  try {
    await deps.outbox.enqueueEvent(event, [sid]);
  } catch (err) {
    // The sink was deleted between the lookup and the insert.
    if (err instanceof MissingParent) throw notFound(`${sinkPath(sid)}/Test`);
    throw err;
  }
  return event;
}

/** Succeeds when a test event with this TestId was sent to this sink. */
export async function validateSink(deps: EventDeps, accountSid: string, sid: string, testId: string | undefined): Promise<void> {
  if (!(await deps.store.getSink(accountSid, sid))) throw notFound(`${sinkPath(sid)}/Validate`);
  const id = requiredText('TestId', testId);
  if (!(await deps.outbox.findTestEvent(accountSid, sid, id))) {
    throw eventsInvalidParam('TestId', 'no test event with this TestId was sent to this sink (POST /v1/Sinks/{Sid}/Test sends one)');
  }
}

const FIELD = 'SinkConfiguration';

/**
 * A destination that names a blocked address outright is refused now; one that names a host is
 * judged at every delivery by what it resolves to then (see events/senders/webhook.ts).
 */
function refuseBlockedAddress(blocked: BlockedNetworks, destination: string): void {
  const reason = literalRefusal(blocked, new URL(destination));
  if (reason) throw eventsInvalidParam(`${FIELD}.destination`, `names ${reason}`);
}

