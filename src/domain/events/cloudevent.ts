import type { CheckRecord, SendAttempt, Service, Verification } from '../types.js';
import { STATUS_EVENT_TYPES, TEST_EVENT_TYPE, TEST_SCHEMA_ID, VERIFY_SCHEMA_ID, VERIFY_SCHEMA_VERSION, schemaUrl } from './catalog.js';
import type { CloudEvent } from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export interface StatusEventInput {
  id: string;
  service: Service;
  verification: Verification;
  sends: SendAttempt[];
  checks: CheckRecord[];
  /** When the status was reached. */
  at: number;
}

/**
 * A verification status event with `data` in the shape of the seed example (schema
 * AccountSecurity.VerifyEventStreamEvent/2). The envelope carries `datacontenttype:
 * application/json` and a `time`, where the documentation example shows a date in
 * datacontenttype (docs/events.md).
 */
export function statusEvent(input: StatusEventInput): CloudEvent {
  const { service, verification: v, sends, checks, at } = input;
  return {
    specversion: '1.0',
    type: STATUS_EVENT_TYPES[v.status],
    source: `/v2/Services/${v.serviceSid}/Verifications/${v.sid}`,
    id: input.id,
    time: iso(at),
    dataschema: schemaUrl(VERIFY_SCHEMA_ID, VERIFY_SCHEMA_VERSION),
    datacontenttype: 'application/json',
    data: {
      account_sid: v.accountSid,
      service_sid: v.serviceSid,
      verification_sid: v.sid,
      friendly_name: service.friendlyName,
      custom_code_enabled: service.config.customCodeEnabled,
      custom_friendly_name: v.options.customFriendlyName ?? service.friendlyName,
      created_at: iso(v.dateCreated),
      verified_at: v.status === 'approved' ? iso(at) : null,
      to: v.to,
      verification_status: v.status.toUpperCase(),
      country: v.country,
      code_length: v.codeLength,
      send_code_attempts: {
        count: sends.length,
        attempts: sends.map((s) => ({
          time: iso(s.dateCreated),
          channel: s.channel.toUpperCase(),
          attempt_sid: s.sid,
          delivery_status: s.messageStatus.toUpperCase(),
          error_code: s.errorCode === null ? null : String(s.errorCode),
          locale: s.locale,
        })),
      },
      check_attempts: {
        count: checks.length,
        attempts: checks.map((c) => ({ time: iso(c.dateCreated), status: c.result })),
      },
      expired_at: iso(v.expiresAt),
    },
  };
}

/** The event POST /v1/Sinks/{Sid}/Test sends; its data.test_id is what Validate takes. */
export function testEvent(id: string, accountSid: string, sinkSid: string, testId: string, at: number): CloudEvent {
  return {
    specversion: '1.0',
    type: TEST_EVENT_TYPE,
    source: `/v1/Sinks/${sinkSid}/Test`,
    id,
    time: iso(at),
    dataschema: schemaUrl(TEST_SCHEMA_ID, 1),
    datacontenttype: 'application/json',
    data: { account_sid: accountSid, sink_sid: sinkSid, test_id: testId },
  };
}
