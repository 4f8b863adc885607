import { eventsInvalidParam, eventsMissingParam } from '../../domain/errors.js';
import { isSid } from '../../domain/ids.js';
import { boundedDescription, requiredText } from '../../domain/events/sinks.js';
import { clip, type NewSubscription, type TypeRequest } from '../../domain/events/subscriptions.js';
import type { Params } from '../params.js';

/** POST /v1/Subscriptions, checked in Twilio's order: Description, SinkSid, then each of Types. */
export function readNewSubscription(p: Params): NewSubscription {
  const description = boundedDescription(requiredText('Description', p.str('Description')));
  const sinkSid = p.str('SinkSid');
  if (sinkSid === undefined || sinkSid === '') throw eventsMissingParam('SinkSid');
  if (!isSid(sinkSid, 'DG')) throw eventsInvalidParam('SinkSid', 'must be a Sink SID (DG and 32 hex digits)');
  const values = p.all('Types');
  if (values.length === 0 || values.every((v) => v === '')) throw eventsMissingParam('Types');
  return { description, sinkSid, types: typeRequests(values) };
}

/**
 * Parsed one by one as the use case reads them, so a malformed value after one that names an
 * unknown type does not hide that error: the first bad value is reported, as before the split.
 */
function* typeRequests(values: string[]): Generator<TypeRequest> {
  for (const raw of values) yield typeRequest(raw);
}

const NOT_AN_OBJECT = 'each value must be a JSON object like {"type": "...", "schema_version": 2}, got';

/** Each value of Types is a JSON object {"type": ..., "schema_version": n} (schema_version optional). */
function typeRequest(raw: string): TypeRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw eventsInvalidParam('Types', `${NOT_AN_OBJECT} ${clip(raw)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw eventsInvalidParam('Types', `${NOT_AN_OBJECT} ${clip(raw)}`);
  const obj = parsed as Record<string, unknown>;
  const extra = Object.keys(obj).find((k) => k !== 'type' && k !== 'schema_version');
  if (extra !== undefined) throw eventsInvalidParam('Types', `unknown key ${JSON.stringify(extra)} (allowed: type, schema_version)`);
  if (typeof obj.type !== 'string' || obj.type === '') throw eventsInvalidParam('Types', 'each value needs a "type" string');
  return { type: obj.type, schemaVersion: readVersion(obj.type, obj.schema_version) };
}

function readVersion(type: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,9}$/.test(v)) return Number(v);
  throw eventsInvalidParam('Types', `schema_version of ${type} must be an integer`);
}
