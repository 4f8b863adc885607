/**
 * The one catalog of Twilio errors verifyd answers with. Every failure that reaches a client is a
 * TwilioError built from this table, so codes, HTTP statuses and default messages stay consistent
 * (docs/errors.md is checked against it by test/unit/errors-doc.test.ts).
 */
export const ERROR_CATALOG = {
  400: { status: 400, message: 'Bad request' },
  20001: { status: 400, message: 'Invalid parameter' },
  21701: { status: 400, message: 'The Messaging Service does not exist' },
  20003: { status: 401, message: 'Authenticate' },
  20004: { status: 405, message: 'Method not allowed' },
  20403: { status: 403, message: 'Forbidden' },
  20404: { status: 404, message: 'The requested resource was not found' },
  20413: { status: 413, message: 'Request entity too large' },
  20429: { status: 429, message: 'Too many requests' },
  20500: { status: 500, message: 'Internal server error' },
  20503: { status: 503, message: 'Service unavailable' },
  21102: { status: 400, message: 'Reached maximum number of Services' },
  60200: { status: 400, message: 'Invalid parameter' },
  60202: { status: 429, message: 'Max check attempts reached' },
  60203: { status: 429, message: 'Max send attempts reached' },
  60204: { status: 403, message: 'Service does not support this feature' },
  60205: { status: 403, message: 'SMS is not supported by landline phone number' },
  60206: { status: 400, message: "'Amount' & 'Payee' params are required" },
  60207: { status: 400, message: 'Max rate limits per service reached' },
  60208: { status: 400, message: 'Rate limit with that UniqueName already exists' },
  60209: { status: 400, message: 'UniqueName format is invalid' },
  60210: { status: 400, message: 'Max Buckets per Rate limit reached' },
  60211: { status: 400, message: 'Bucket with the given Interval already exists' },
  60213: { status: 400, message: 'A Messaging Configuration already exists for the given country' },
  60214: { status: 400, message: 'Call channel is not supported when using PSD2' },
  60221: { status: 400, message: 'No target verification specified. Ensure that either a To or VerificationSid is provided' },
  60223: { status: 400, message: 'Create verification failed because delivery channel is currently disabled' },
  60224: { status: 400, message: 'Missing substitutions for selected template' },
  60227: { status: 400, message: 'The selected channel for template is not supported' },
  60228: { status: 400, message: 'Template was not found' },
  60243: { status: 400, message: 'Custom messages are not supported' },
  60410: { status: 403, message: 'Verification delivery attempt blocked' },
  60605: { status: 403, message: 'The destination phone number has been blocked by Verify Geo-Permissions' },
  91003: { status: 400, message: 'Account reached the max sink limit' },
  91100: { status: 400, message: 'Subscription could not be created' },
} as const satisfies Record<number, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export class TwilioError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message?: string, opts: { headers?: Record<string, string>; status?: number } = {}) {
    super(message ?? ERROR_CATALOG[code].message);
    this.name = 'TwilioError';
    this.code = code;
    // Only the generic 400 code is sent with another HTTP status (415), as Twilio has no code of its own for it.
    this.status = opts.status ?? ERROR_CATALOG[code].status;
    this.headers = opts.headers ?? {};
  }

  toJSON(): { code: number; message: string; more_info: string; status: number } {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
    };
  }
}

/**
 * A bad or missing parameter has one code per API family: Verify (/v2, and verifyd's own routes)
 * answers Verify's 60200; Event Streams (/v1) is not a Verify API, so it answers Twilio's generic
 * 20001. The names carry the family so the two are not mixed up.
 */
export const verifyInvalidParam = (name: string): TwilioError => new TwilioError(60200, `Invalid parameter: ${name}`);

/** Event Streams' bad parameter (20001); `detail` says what is wrong when the name alone does not. */
export const eventsInvalidParam = (name: string, detail?: string): TwilioError =>
  new TwilioError(20001, detail === undefined ? `Invalid parameter: ${name}` : `Invalid parameter ${name}: ${detail}`);

export const eventsMissingParam = (name: string): TwilioError => new TwilioError(20001, `Missing required parameter ${name}`);

/** Twilio's 404 message names the path without the /v2 prefix. */
export const notFound = (path: string): TwilioError =>
  new TwilioError(20404, `The requested resource ${path} was not found`);
