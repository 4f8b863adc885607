import { eventsInvalidParam, eventsMissingParam } from '../../domain/errors.js';
import type { KinesisSinkConfig, SinkType, WebhookSinkConfig } from '../../domain/events/types.js';
import type { SinkSpec } from '../../domain/events/sinks.js';

/**
 * The SinkConfiguration form field: a JSON object whose keys and values depend on the sink type.
 * Its syntax is checked here; where a webhook may send (the blocked networks) is the domain's rule.
 */
const FIELD = 'SinkConfiguration';

/** Parses and checks SinkConfiguration for the sink type; returns it normalised (defaults filled in). */
export function readSinkConfiguration(type: SinkType, raw: string | undefined): SinkSpec {
  if (raw === undefined || raw === '') throw eventsMissingParam(FIELD);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw eventsInvalidParam(FIELD, 'must be a JSON object');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw eventsInvalidParam(FIELD, 'must be a JSON object');
  const obj = parsed as Record<string, unknown>;
  return type === 'webhook' ? { sinkType: type, config: webhookConfig(obj) } : { sinkType: type, config: kinesisConfig(obj) };
}

function onlyKeys(obj: Record<string, unknown>, allowed: string[], type: SinkType): void {
  const unknown = Object.keys(obj).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw eventsInvalidParam(FIELD, `unknown key ${JSON.stringify(unknown[0])} for a ${type} sink (allowed: ${allowed.join(', ')})`);
  }
}

// Control characters never belong in a URL, ARN or external id; NUL would also upset PostgreSQL text.
const CONTROL = /[\u0000-\u001f\u007f]/;

function text(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw eventsInvalidParam(`${FIELD}.${key}`, 'must be a string');
  if (CONTROL.test(v)) throw eventsInvalidParam(`${FIELD}.${key}`, 'must not contain control characters');
  return v;
}

function requiredKey(obj: Record<string, unknown>, key: string): string {
  const v = text(obj, key);
  if (v === undefined || v === '') throw eventsInvalidParam(`${FIELD}.${key}`, 'is required');
  return v;
}

function webhookConfig(obj: Record<string, unknown>): WebhookSinkConfig {
  onlyKeys(obj, ['destination', 'method', 'batch_events'], 'webhook');
  const destination = requiredKey(obj, 'destination');
  if (!isHttpUrl(destination)) throw eventsInvalidParam(`${FIELD}.destination`, 'must be an absolute http: or https: URL');
  // The signature's bodySHA256 goes into the query; behind a fragment the receiver would never see it.
  if (destination.includes('#')) throw eventsInvalidParam(`${FIELD}.destination`, 'must not have a #fragment');
  if (!decodable(destination)) throw eventsInvalidParam(`${FIELD}.destination`, 'has credentials that are not valid percent-encoding');
  const method = text(obj, 'method');
  if (method !== undefined && method.toUpperCase() !== 'POST') {
    throw eventsInvalidParam(
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
  throw eventsInvalidParam(`${FIELD}.batch_events`, 'must be true or false');
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
    throw eventsInvalidParam(`${FIELD}.arn`, 'must be a Kinesis stream ARN: arn:aws:kinesis:<region>:<12-digit account>:stream/<name>');
  }
  const roleArn = requiredKey(obj, 'role_arn');
  if (!ROLE_ARN.test(roleArn) || roleArn.endsWith('/')) {
    throw eventsInvalidParam(`${FIELD}.role_arn`, 'must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>');
  }
  const externalId = requiredKey(obj, 'external_id');
  if (externalId.length > MAX_EXTERNAL_ID) throw eventsInvalidParam(`${FIELD}.external_id`, `must be at most ${MAX_EXTERNAL_ID} characters`);
  if (!EXTERNAL_ID.test(externalId)) {
    throw eventsInvalidParam(`${FIELD}.external_id`, 'must be at least 2 characters of letters, digits and _+=,.@:/- (what STS accepts)');
  }
  return { arn, role_arn: roleArn, external_id: externalId };
}
