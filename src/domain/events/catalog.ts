import type { VerificationStatus } from '../types.js';

/** The one schema verifyd's verification events follow (the version the seed example names). */
export const VERIFY_SCHEMA_ID = 'AccountSecurity.VerifyEventStreamEvent';
export const VERIFY_SCHEMA_VERSION = 2;
export const SCHEMA_HOST = 'https://events-schemas.twilio.com';
export const schemaUrl = (id: string, version: number): string => `${SCHEMA_HOST}/${id}/${version}`;

const PREFIX = 'com.twilio.accountsecurity.verify.verification.';

export const STATUS_EVENT_TYPES: Record<VerificationStatus, string> = {
  pending: `${PREFIX}pending`,
  approved: `${PREFIX}approved`,
  canceled: `${PREFIX}canceled`,
  expired: `${PREFIX}expired`,
  max_attempts_reached: `${PREFIX}max-attempts-reached`,
};

/** Sent by POST /v1/Sinks/{Sid}/Test only; nobody subscribes to it. */
export const TEST_EVENT_TYPE = 'com.twilio.eventstreams.test-event';
export const TEST_SCHEMA_ID = 'EventStreams.TestEvent';

export interface EventTypeInfo {
  type: string;
  schemaId: string;
  description: string;
  status: 'available';
  documentationUrl: string | null;
  dateCreated: number;
}

export interface SchemaVersionInfo {
  id: string;
  version: number;
  dateCreated: number;
}

/** When verifyd started publishing these types: fixed, so listings are stable across restarts. */
const PUBLISHED = Date.parse('2026-11-22T00:00:00Z');
const DOCS = 'https://www.twilio.com/docs/events/event-types/verify/verification-status';

const describe: Record<VerificationStatus, string> = {
  pending: 'Verify - verification pending',
  approved: 'Verify - verification approved',
  canceled: 'Verify - verification canceled',
  expired: 'Verify - verification expired',
  max_attempts_reached: 'Verify - verification max attempts reached',
};

/** Ordered by type, as the Types list pages through them. */
export const EVENT_TYPES: EventTypeInfo[] = (Object.keys(STATUS_EVENT_TYPES) as VerificationStatus[])
  .map((s) => ({
    type: STATUS_EVENT_TYPES[s],
    schemaId: VERIFY_SCHEMA_ID,
    description: describe[s],
    status: 'available' as const,
    documentationUrl: DOCS,
    dateCreated: PUBLISHED,
  }))
  .sort((a, b) => (a.type < b.type ? -1 : 1));

export const SCHEMA_VERSIONS: SchemaVersionInfo[] = [{ id: VERIFY_SCHEMA_ID, version: VERIFY_SCHEMA_VERSION, dateCreated: PUBLISHED }];

export const eventType = (type: string): EventTypeInfo | undefined => EVENT_TYPES.find((t) => t.type === type);
export const schemaVersions = (id: string): SchemaVersionInfo[] => SCHEMA_VERSIONS.filter((v) => v.id === id);
