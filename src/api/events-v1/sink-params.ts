import { eventsInvalidParam, eventsMissingParam } from '../../domain/errors.js';
import { SINK_STATUSES, boundedDescription, requiredText, type NewSink } from '../../domain/events/sinks.js';
import type { SinkStatus, SinkType } from '../../domain/events/types.js';
import type { Params } from '../params.js';
import { readSinkConfiguration } from './sink-configuration.js';

/** Values Twilio's enum has but verifyd has no delivery for. */
const UNDELIVERED_SINK_TYPES = ['segment', 'email'];

/** POST /v1/Sinks, checked in Twilio's order: Description, SinkType, then SinkConfiguration for that type. */
export function readNewSink(p: Params): NewSink {
  const description = boundedDescription(requiredText('Description', p.str('Description')));
  const spec = readSinkConfiguration(readSinkType(p.str('SinkType')), p.str('SinkConfiguration'));
  return { description, ...spec };
}

function readSinkType(value: string | undefined): SinkType {
  if (value === undefined || value === '') throw eventsMissingParam('SinkType');
  if (value === 'webhook' || value === 'kinesis') return value;
  if (UNDELIVERED_SINK_TYPES.includes(value)) {
    throw eventsInvalidParam('SinkType', `${value} sinks are not supported; verifyd delivers to webhook and kinesis sinks`);
  }
  throw eventsInvalidParam('SinkType', 'must be webhook or kinesis');
}

/** The filters of GET /v1/Sinks. */
export function readSinkFilter(p: Params): { inUse?: boolean; status?: SinkStatus } {
  const inUse = p.bool('InUse');
  const status = p.str('Status');
  if (status !== undefined && !(SINK_STATUSES as readonly string[]).includes(status)) {
    throw eventsInvalidParam('Status', `must be one of ${SINK_STATUSES.join(', ')}`);
  }
  return { inUse, status: status as SinkStatus | undefined };
}
