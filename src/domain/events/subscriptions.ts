import { eventsInvalidParam, eventsMissingParam, notFound } from '../errors.js';
import { MissingParent, UniqueViolation, type PageQuery } from '../ports.js';
import { withinQuota } from '../quotas.js';
import { EVENT_TYPES, eventType, schemaVersions } from './catalog.js';
import { boundedDescription, type EventDeps } from './sinks.js';
import type { SubscribedEvent, Subscription } from './types.js';

/** A type a subscription asks for; without a version, the latest. */
export interface TypeRequest {
  type: string;
  schemaVersion?: number;
}

/** A new subscription as the API parsed it; its description has passed requiredText. */
export interface NewSubscription {
  description: string;
  sinkSid: string;
  /**
   * Read once, in order, and possibly parsed while it is read: the first bad entry is the one
   * reported, whether it is malformed (the caller's check) or names a type verifyd does not emit.
   */
  types: Iterable<TypeRequest>;
}

interface TypeChoice {
  type: string;
  schemaVersion: number;
}

const subscriptionPath = (sid: string) => `/Subscriptions/${sid}`;

export async function createSubscription(deps: EventDeps, accountSid: string, input: NewSubscription): Promise<Subscription> {
  const { description, sinkSid } = input;
  const types = checkTypes(input.types);
  // A SinkSid that names nothing is a bad parameter of this request, not a missing resource.
  const sink = await deps.store.getSink(accountSid, sinkSid);
  if (!sink) throw eventsInvalidParam('SinkSid', 'no sink with this SID in this account');
  if (sink.status !== 'active') throw eventsInvalidParam('SinkSid', `the sink must be active to be subscribed to (it is ${sink.status})`);
  const now = deps.clock.now().getTime();
  const subscription: Subscription = { sid: deps.ids('DF'), accountSid, sinkSid, description, dateCreated: now, dateUpdated: now };
  try {
    const rows = types.map((t) => ({ subscriptionSid: subscription.sid, accountSid, type: t.type, schemaVersion: t.schemaVersion }));
    await withinQuota('subscriptions', () => deps.store.insertSubscription(subscription, rows, deps.quotas.subscriptions));
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
  boundedDescription(description);
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

/** Each type must be one verifyd emits, in a version its schema has, and listed once. */
function checkTypes(requests: Iterable<TypeRequest>): TypeChoice[] {
  const out: TypeChoice[] = [];
  for (const request of requests) {
    const choice = checkType(request.type, request.schemaVersion, { type: 'Types', version: 'Types' });
    if (out.some((c) => c.type === choice.type)) throw eventsInvalidParam('Types', `${choice.type} is listed more than once`);
    out.push(choice);
  }
  return out;
}

/** Quotes a client's value for an error message, cut short. */
export const clip = (s: string): string => JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
