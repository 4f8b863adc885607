import type { RateLimit, RateLimitBucket } from '../../domain/ports.js';
import { iso } from './time.js';

export const rateLimitsPath = (serviceSid: string): string => `/v2/Services/${serviceSid}/RateLimits`;
export const bucketsPath = (serviceSid: string, rateLimitSid: string): string => `${rateLimitsPath(serviceSid)}/${rateLimitSid}/Buckets`;

/** verify.v2.service.rate_limit */
export function serializeRateLimit(r: RateLimit, baseUrl: string): Record<string, unknown> {
  const url = `${baseUrl}${rateLimitsPath(r.serviceSid)}/${r.sid}`;
  return {
    sid: r.sid,
    service_sid: r.serviceSid,
    account_sid: r.accountSid,
    unique_name: r.uniqueName,
    description: r.description,
    date_created: iso(r.dateCreated),
    date_updated: iso(r.dateUpdated),
    url,
    links: { buckets: `${url}/Buckets` },
  };
}

/** verify.v2.service.rate_limit.bucket */
export function serializeBucket(b: RateLimitBucket, baseUrl: string): Record<string, unknown> {
  return {
    sid: b.sid,
    rate_limit_sid: b.rateLimitSid,
    service_sid: b.serviceSid,
    account_sid: b.accountSid,
    max: b.max,
    interval: b.interval,
    date_created: iso(b.dateCreated),
    date_updated: iso(b.dateUpdated),
    url: `${baseUrl}${bucketsPath(b.serviceSid, b.rateLimitSid)}/${b.sid}`,
  };
}
