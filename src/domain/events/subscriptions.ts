import { eventsInvalidParam, eventsMissingParam, notFound } from '../errors.js';
import { isSid } from '../ids.js';
import { MissingParent, UniqueViolation, type Cursor, type PageQuery } from '../ports.js';
import { EVENT_TYPES, eventType, schemaVersions } from './catalog.js';
import { requiredText, type EventDeps } from './sinks.js';
import type { SubscribedEvent, Subscription } from './types.js';

export interface SubscriptionInput {
  description?: string;
  sinkSid?: string;
  /** Every value of the repeated Types field, each a JSON object as a string. */
  types?: string[];
}

interface TypeChoice {
  type: string;
  schemaVersion: number;
}

const subscriptionPath = (sid: string) => `/Subscriptions/${sid}`;

export async function createSubscription(deps: EventDeps, accountSid: string, input: SubscriptionInput): Promise<Subscription> {
  const description = requiredText('Description', input.description);
  const sinkSid = input.sinkSid;
  if (sinkSid === undefined || sinkSid === '') throw eventsMissingParam('SinkSid');
  if (!isSid(sinkSid, 'DG')) throw eventsInvalidParam('SinkSid', 'must be a Sink SID (DG and 32 hex digits)');
  const types = readTypes(input.types ?? []);
  // A SinkSid that names nothing is a bad parameter of this request, not a missing resource.
  const sink = await deps.store.getSink(accountSid, sinkSid);
  if (!sink) throw eventsInvalidParam('SinkSid', 'no sink with this SID in this account');
  if (sink.status !== 'active') throw eventsInvalidParam('SinkSid', `the sink must be active to be subscribed to (it is ${sink.status})`);
  const now = deps.clock.now().getTime();
  const subscription: Subscription = { sid: deps.ids('DF'), accountSid, sinkSid, description, dateCreated: now, dateUpdated: now };
  try {
    await deps.store.insertSubscription(
      subscription,
      types.map((t) => ({ subscriptionSid: subscription.sid, accountSid, type: t.type, schemaVersion: t.schemaVersion })),
    );
  } catch (err) {
    if (err instanceof MissingParent) throw eventsInvalidParam('SinkSid', 'no sink with this SID in this account');
    throw err;
  }
  return subscription;
}

export async function getSubscription(deps: EventDeps, accountSid: string, sid: string): Promise<Subscription> {
  const s = await deps.store.getSubscription(accountSid, sid);
  if (!s) throw notFound(subscriptionPath(sid));
  return s;
}

export function listSubscriptions(
  deps: EventDeps,
  accountSid: string,
  filter: { sinkSid?: string },
  page: PageQuery,
): Promise<Subscription[]> {
  return deps.store.listSubscriptions(accountSid, filter, page);
}

/** Description is the only field; without it the subscription is returned unchanged. */
export async function updateSubscription(deps: EventDeps, accountSid: string, sid: string, description: string | undefined): Promise<Subscription> {
  if (description === undefined) return getSubscription(deps, accountSid, sid);
  if (description.trim() === '') throw eventsInvalidParam('Description', 'must not be empty');
  const updated = await deps.store.updateSubscriptionDescription(accountSid, sid, description, deps.clock.now().getTime());
  if (!updated) throw notFound(subscriptionPath(sid));
  return updated;
}

export async function deleteSubscription(deps: EventDeps, accountSid: string, sid: string): Promise<void> {
  if (!(await deps.store.deleteSubscription(accountSid, sid))) throw notFound(subscriptionPath(sid));
}

// ------------------------------------------------------------ subscribed events

const eventsPath = (sid: string) => `${subscriptionPath(sid)}/SubscribedEvents`;

/**
 * Adds a type to the subscription, or sets the schema version of one it already has;
 * `created` says which (Twilio answers 201 and 200).
 */
export async function addSubscribedEvent(
  deps: EventDeps,
  accountSid: string,
  subscriptionSid: string,
  input: { type?: string; schemaVersion?: number },
): Promise<{ event: SubscribedEvent; created: boolean }> {
  if (!(await deps.store.getSubscription(accountSid, subscriptionSid))) throw notFound(eventsPath(subscriptionSid));
  if (input.type === undefined || input.type === '') throw eventsMissingParam('Type');
  const choice = checkType(input.type, input.schemaVersion, { type: 'Type', version: 'SchemaVersion' });
  const event: SubscribedEvent = { subscriptionSid, accountSid, ...choice };
  const put = () => deps.store.putSubscribedEvent(event);
  try {
    let created: boolean;
    try {
      created = await put();
    } catch (err) {
      // Two requests inserted the same type at once: ours is now an update of theirs.
      if (!(err instanceof UniqueViolation)) throw err;
      created = await put();
    }
    return { event, created };
  } catch (err) {
    if (err instanceof MissingParent) throw notFound(eventsPath(subscriptionSid));
    throw err;
  }
}

export async function listSubscribedEvents(
  deps: EventDeps,
  accountSid: string,
  subscriptionSid: string,
  page: { afterType?: string; offset: number; limit: number },
): Promise<SubscribedEvent[]> {
  if (!(await deps.store.getSubscription(accountSid, subscriptionSid))) throw notFound(eventsPath(subscriptionSid));
  return deps.store.listSubscribedEvents(accountSid, subscriptionSid, page);
}

export async function getSubscribedEvent(deps: EventDeps, accountSid: string, subscriptionSid: string, type: string): Promise<SubscribedEvent> {
  const e = await deps.store.getSubscribedEvent(accountSid, subscriptionSid, type);
  if (!e) throw notFound(`${eventsPath(subscriptionSid)}/${type}`);
  return e;
}

/** SchemaVersion is the only field; without it the subscribed event is returned unchanged. */
export async function updateSubscribedEvent(
  deps: EventDeps,
  accountSid: string,
  subscriptionSid: string,
  type: string,
  schemaVersion: number | undefined,
): Promise<SubscribedEvent> {
  const current = await getSubscribedEvent(deps, accountSid, subscriptionSid, type);
  if (schemaVersion === undefined) return current;
  const choice = checkType(type, schemaVersion, { type: 'Type', version: 'SchemaVersion' });
  const event: SubscribedEvent = { ...current, schemaVersion: choice.schemaVersion };
  try {
    await deps.store.putSubscribedEvent(event);
  } catch (err) {
    if (err instanceof MissingParent) throw notFound(`${eventsPath(subscriptionSid)}/${type}`);
    throw err;
  }
  return event;
}

export async function deleteSubscribedEvent(deps: EventDeps, accountSid: string, subscriptionSid: string, type: string): Promise<void> {
  if (!(await deps.store.deleteSubscribedEvent(accountSid, subscriptionSid, type))) throw notFound(`${eventsPath(subscriptionSid)}/${type}`);
}

// ------------------------------------------------------------ types

const KNOWN_TYPES = EVENT_TYPES.map((t) => t.type).join(', ');

/** The type must be one verifyd emits and the version one its schema has; no version means the latest. */
function checkType(type: string, version: number | undefined, params: { type: string; version: string }): TypeChoice {
  const info = eventType(type);
  if (!info) throw eventsInvalidParam(params.type, `unknown event type ${clip(type)}; verifyd emits ${KNOWN_TYPES}`);
  const versions = schemaVersions(info.schemaId).map((v) => v.version);
  const schemaVersion = version ?? Math.max(...versions);
  if (!versions.includes(schemaVersion)) {
    throw eventsInvalidParam(params.version, `${type} has no schema version ${schemaVersion} (verifyd has ${versions.join(', ')})`);
  }
  return { type, schemaVersion };
}

/** Each value of Types is a JSON object {"type": ..., "schema_version": n} (schema_version optional). */
function readTypes(values: string[]): TypeChoice[] {
  if (values.length === 0 || values.every((v) => v === '')) throw eventsMissingParam('Types');
  const out: TypeChoice[] = [];
  for (const raw of values) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw eventsInvalidParam('Types', `each value must be a JSON object like {"type": "...", "schema_version": 2}, got ${clip(raw)}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw eventsInvalidParam('Types', `each value must be a JSON object like {"type": "...", "schema_version": 2}, got ${clip(raw)}`);
    }
    const obj = parsed as Record<string, unknown>;
    const extra = Object.keys(obj).find((k) => k !== 'type' && k !== 'schema_version');
    if (extra !== undefined) throw eventsInvalidParam('Types', `unknown key ${JSON.stringify(extra)} (allowed: type, schema_version)`);
    if (typeof obj.type !== 'string' || obj.type === '') throw eventsInvalidParam('Types', 'each value needs a "type" string');
    const choice = checkType(obj.type, readVersion(obj.type, obj.schema_version), { type: 'Types', version: 'Types' });
    if (out.some((c) => c.type === choice.type)) throw eventsInvalidParam('Types', `${choice.type} is listed more than once`);
    out.push(choice);
  }
  return out;
}

function readVersion(type: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v)) return Number(v);
  throw eventsInvalidParam('Types', `schema_version of ${type} must be an integer`);
}

const clip = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
