import type { FastifyServerOptions } from 'fastify';

/**
 * Structured logs that never carry secrets: credentials and cookies are redacted, bodies are never
 * logged, and the bearer token in an SNA URL path is masked. Verification paths may carry a phone
 * number (/Verifications/+1...), which is personal data but not a secret.
 */
export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; ip?: string }) {
        return { method: req.method, url: maskUrl(req.url), ip: req.ip };
      },
    },
  };
}

export const maskUrl = (url: string): string => url.replace(/^\/sna\/[^/?]+/, '/sna/[redacted]');
