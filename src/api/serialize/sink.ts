import type { Sink } from '../../domain/events/types.js';
import { iso } from './time.js';

/** Field order as in Twilio's examples. */
export function serializeSink(s: Sink, baseUrl: string): Record<string, unknown> {
  const url = `${baseUrl}/v1/Sinks/${s.sid}`;
  return {
    status: s.status,
    sink_configuration: s.config,
    description: s.description,
    sid: s.sid,
    date_created: iso(s.dateCreated),
    sink_type: s.sinkType,
    date_updated: iso(s.dateUpdated),
    url,
    links: { sink_test: `${url}/Test`, sink_validate: `${url}/Validate` },
  };
}
