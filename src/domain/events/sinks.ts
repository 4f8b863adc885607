import type { Clock } from '../clock.js';
import { invalidParameter, missingParameter, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import { MissingParent, type Cursor, type PageQuery } from '../ports.js';
import { TEST_EVENT_TYPE } from './catalog.js';
import { testEvent } from './cloudevent.js';
import { literalRefusal, type BlockedNetworks } from './networks.js';
import type { EventStore } from './ports.js';
import type { KinesisSinkConfig, OutboxEvent, Sink, SinkConfig, SinkStatus, SinkType, WebhookSinkConfig } from './types.js';

/** What the Event Streams use cases need; the API hands in the same store, clock and ids as for services. */
export interface EventDeps {
  store: EventStore;
  clock: Clock;
  ids: IdGenerator;
}

/** Creating a webhook sink also needs where webhooks are never sent (EVENTS_WEBHOOK_BLOCKED_NETWORKS). */
export interface SinkDeps extends EventDeps {
  blockedNetworks: BlockedNetworks;
}

export const SINK_STATUSES: readonly SinkStatus[] = ['initialized', 'validating', 'active', 'failed'];

/** Values Twilio's enum has but verifyd has no delivery for. */
const UNDELIVERED_SINK_TYPES = ['segment', 'email'];

export interface SinkInput {
  description?: string;
  sinkType?: string;
  /** The SinkConfiguration form field: a JSON object as a string. */
  configuration?: string;
}

/** A required free-text parameter: absent, empty or only blanks is missing. */
export function requiredText(name: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw missingParameter(name);
  return value;
}

const sinkPath = (sid: string) => `/Sinks/${sid}`;

export async function createSink(deps: SinkDeps, accountSid: string, input: SinkInput): Promise<Sink> {
  const description = requiredText('Description', input.description);
  const sinkType = readSinkType(input.sinkType);
  const config = readSinkConfiguration(sinkType, input.configuration);
  if (sinkType === 'webhook') refuseBlockedAddress(deps.blockedNetworks, (config as WebhookSinkConfig).destination);
  const now = deps.clock.now().getTime();
  // Twilio's current docs: sinks need no validation and are active from the start.
  const sink: Sink = { sid: deps.ids('DG'), accountSid, description, sinkType, config, status: 'active', dateCreated: now, dateUpdated: now };
  await deps.store.insertSink(sink);
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
  const text = requiredText('Description', description);
  const updated = await deps.store.updateSinkDescription(accountSid, sid, text, deps.clock.now().getTime());
  if (!updated) throw notFound(sinkPath(sid));
  return updated;
}

export async function deleteSink(deps: EventDeps, accountSid: string, sid: string): Promise<void> {
  if (!(await deps.store.deleteSink(accountSid, sid))) throw notFound(sinkPath(sid));
}

/**
 * Queues a test event for this one sink. Its data.test_id is what Validate takes; the dispatcher
 * delivers it like any other event.
 */
export async function testSink(deps: EventDeps, accountSid: string, sid: string): Promise<OutboxEvent> {
  if (!(await deps.store.getSink(accountSid, sid))) throw notFound(`${sinkPath(sid)}/Test`);
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
    await deps.store.enqueueEvent(event, [sid]);
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
  if (!(await deps.store.findTestEvent(accountSid, sid, id))) {
    throw invalidParameter('TestId', 'no test event with this TestId was sent to this sink (POST /v1/Sinks/{Sid}/Test sends one)');
  }
}

function readSinkType(value: string | undefined): SinkType {
  if (value === undefined || value === '') throw missingParameter('SinkType');
  if (value === 'webhook' || value === 'kinesis') return value;
  if (UNDELIVERED_SINK_TYPES.includes(value)) {
    throw invalidParameter('SinkType', `${value} sinks are not supported; verifyd delivers to webhook and kinesis sinks`);
  }
  throw invalidParameter('SinkType', 'must be webhook or kinesis');
}

const FIELD = 'SinkConfiguration';

/**
 * A destination that names a blocked address outright is refused now; one that names a host is
 * judged at every delivery by what it resolves to then (see dispatch/webhook.ts).
 */
function refuseBlockedAddress(blocked: BlockedNetworks, destination: string): void {
  const reason = literalRefusal(blocked, new URL(destination));
  if (reason) throw invalidParameter(`${FIELD}.destination`, `names ${reason}`);
}

/** Parses and checks SinkConfiguration for the sink type; returns it normalised (defaults filled in). */
export function readSinkConfiguration(type: SinkType, raw: string | undefined): SinkConfig {
  if (raw === undefined || raw === '') throw missingParameter(FIELD);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(FIELD, 'must be a JSON object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalidParameter(FIELD, 'must be a JSON object');
  const obj = parsed as Record<string, unknown>;
  return type === 'webhook' ? webhookConfig(obj) : kinesisConfig(obj);
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], type: SinkType): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw invalidParameter(FIELD, `unknown key ${JSON.stringify(unknown[0])} for a ${type} sink (allowed: ${allowed.join(', ')})`);
  }
}

// Control characters never belong in a URL, ARN or external id; NUL would also upset PostgreSQL text.
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalidParameter(`${FIELD}.${key}`, 'must be a string');
  if (CONTROL.test(v)) throw invalidParameter(`${FIELD}.${key}`, 'must not contain control characters');
  return v;
}

function requiredKey(obj: Record<string, unknown>, key: string): string {
  const v = text(obj, key);
  if (v === undefined || v === '') throw invalidParameter(`${FIELD}.${key}`, 'is required');
  return v;
}

function webhookConfig(obj: Record<string, unknown>): WebhookSinkConfig {
  onlyKeys(obj, ['destination', 'method', 'batch_events'], 'webhook');
  const destination = requiredKey(obj, 'destination');
  if (!isHttpUrl(destination)) throw invalidParameter(`${FIELD}.destination`, 'must be an absolute http: or https: URL');
  // The signature's bodySHA256 goes into the query; behind a fragment the receiver would never see it.
  if (destination.includes('#')) throw invalidParameter(`${FIELD}.destination`, 'must not have a #fragment');
  if (!decodable(destination)) throw invalidParameter(`${FIELD}.destination`, 'has credentials that are not valid percent-encoding');
  const method = text(obj, 'method');
  if (method !== undefined && method.toUpperCase() !== 'POST') {
    throw invalidParameter(
      `${FIELD}.method`,
      method.toUpperCase() === 'GET'
        ? 'verifyd delivers event batches as a JSON body, so it supports POST only'
        : 'must be POST',
    );
  }
  return { destination, method: 'POST', batch_events: readBatchEvents(obj.batch_events) };
}

function readBatchEvents(v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  // Form-minded clients send the flag as a string.
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw invalidParameter(`${FIELD}.batch_events`, 'must be true or false');
}

function isHttpUrl(value: string): boolean {
  // URL() would quietly strip surrounding blanks; what is stored must be what gets requested.
  if (value !== value.trim()) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

/** Credentials in the URL are decoded for Basic auth at every delivery; they must decode. */
function decodable(value: string): boolean {
  const url = new URL(value);
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
    return true;
  } catch {
    return false;
  }
}

const KINESIS_ARN = /^arn:aws:kinesis:[a-z]{2}(?:-[a-z]+)+-\d{1,2}:\d{12}:stream\/[A-Za-z0-9_.-]{1,128}$/;
// Role names may sit under a path: role/division/name.
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const MAX_EXTERNAL_ID = 1224;
// What STS accepts as an ExternalId: anything else could only ever fail when the role is assumed.
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,}$/;

function kinesisConfig(obj: Record<string, unknown>): KinesisSinkConfig {
  onlyKeys(obj, ['arn', 'role_arn', 'external_id'], 'kinesis');
  const arn = requiredKey(obj, 'arn');
  if (!KINESIS_ARN.test(arn)) {
    throw invalidParameter(`${FIELD}.arn`, 'must be a Kinesis stream ARN: arn:aws:kinesis:<region>:<12-digit account>:stream/<name>');
  }
  const roleArn = requiredKey(obj, 'role_arn');
  if (!ROLE_ARN.test(roleArn) || roleArn.endsWith('/')) {
    throw invalidParameter(`${FIELD}.role_arn`, 'must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>');
  }
  const externalId = requiredKey(obj, 'external_id');
  if (externalId.length > MAX_EXTERNAL_ID) throw invalidParameter(`${FIELD}.external_id`, `must be at most ${MAX_EXTERNAL_ID} characters`);
  if (!EXTERNAL_ID.test(externalId)) {
    throw invalidParameter(`${FIELD}.external_id`, 'must be at least 2 characters of letters, digits and _+=,.@:/- (what STS accepts)');
  }
  return { arn, role_arn: roleArn, external_id: externalId };
}
