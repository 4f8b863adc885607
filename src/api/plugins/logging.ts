import type { DestinationStream } from 'pino';
import type { FastifyServerOptions } from 'fastify';

/**
 * Structured logs that never carry secrets: credentials and cookies are redacted, bodies are never
 * logged, and the bearer token in an SNA URL path is masked. Verification paths may carry a phone
 * number (/Verifications/+1...), which is personal data but not a secret.
 *
 * `stream` replaces stdout as the destination (tests capture the log with it).
 */
export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, url: maskUrl(req.url), ip: req.ip };
      },
    },
  };
}

/** Query parameters whose values are safe to log: paging and the inbox filters. */
const LOGGABLE_QUERY = new Set(['PageSize', 'Page', 'PageToken', 'To', 'Channel', 'ServiceSid']);

/**
 * The SNA token in `/sna/<token>` is masked, and so is every query value not known to be harmless:
 * params are read from the query string on every route (POST included), so a client may put
 * `Code`, `Amount`, `Payee` or `SnaClientToken` there, and the URL is what gets logged.
 */
export const maskUrl = (url: string): string => {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/^\/sna\/[^/]+/, '/sna/[redacted]');
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return eq < 0 || LOGGABLE_QUERY.has(safeDecode(key)) ? pair : `${key}=[redacted]`;
    })
    .join('&');
  return `${path}?${query}`;
};

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
