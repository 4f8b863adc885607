import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { isDisplayName, isEmail } from '../../domain/address.js';
import { readTemplates, type EmailTemplates } from './templates.js';

/** An `smtp` provider's settings, as the provider uses them. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte (implicit TLS). */
  secure: boolean;
  auth: { user: string; pass: string } | null;
  /** smtp://: refuse to go on unless the server upgrades the connection with STARTTLS. */
  requireTls: boolean;
  /** PEM certificates to trust instead of the system's (a private CA, a test's self-signed one). */
  ca: string | null;
  rejectUnauthorized: boolean;
  from: { address: string; name: string };
  pool: { maxConnections: number; maxMessages: number };
  /** Bounds connecting, the greeting and each wait for the server. */
  timeoutMs: number;
  templates: EmailTemplates;
}

/** Messages name what is wrong, never the value: the URL holds a password. */
function smtpUrl(v: string, ctx: z.RefinementCtx) {
  const url = URL.canParse(v) ? new URL(v) : null;
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    ctx.addIssue({ code: 'custom', message: 'must be smtp://[user:pass@]host[:port] or smtps://...' });
    return null;
  }
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    ctx.addIssue({ code: 'custom', message: 'takes no path or query: settings have their own keys' });
  }
  const secure = url.protocol === 'smtps:';
  const user = decodeURIComponent(url.username);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    // The submission ports: 587 (STARTTLS) and 465 (implicit TLS).
    port: url.port === '' ? (secure ? 465 : 587) : Number(url.port),
    secure,
    auth: user === '' ? null : { user, pass: decodeURIComponent(url.password) },
  };
}

/** A file's text, read relative to the configuration file; a problem (not its content) when it cannot be. */
export const fileText = (dir: string) =>
  z.string().transform((path, ctx) => {
    try {
      return readFileSync(resolve(dir, path), 'utf8');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return '';
    }
  });

/** Every template of the directory, each bad file its own problem. */
const templatesDir = (dir: string) =>
  z.string().transform((path, ctx): EmailTemplates => {
    const read = readTemplates(resolve(dir, path));
    for (const message of read.problems) ctx.addIssue({ code: 'custom', message });
    return read.templates;
  });

/**
 * The `smtp` type's keys beside `name` and `type`; paths are relative to the configuration file's
 * directory. Files are read key by key, so a bad template is listed beside a bad URL.
 */
export function smtpSettings(file: { dir: string }) {
  return z
    .strictObject({
      url: z.string().transform(smtpUrl),
      from: z.string().refine(isEmail, 'must be an e-mail address'),
      from_name: z.string().refine(isDisplayName, 'must be 1 to 100 characters, none of them a control character').optional(),
      require_tls: z.boolean().default(true),
      tls: z.strictObject({ ca_file: fileText(file.dir).optional(), reject_unauthorized: z.boolean().default(true) }).optional(),
      pool: z
        .strictObject({ max_connections: z.int().min(1).max(100).default(5), max_messages: z.int().min(1).max(100_000).default(100) })
        .optional(),
      timeout_ms: z.int().min(100).max(600_000).default(10_000),
      templates_dir: templatesDir(file.dir).optional(),
    })
    .transform(
      (s): SmtpSettings => ({
        // Not null here: a bad URL is an issue, and no settings come out of a parse with issues.
        ...s.url!,
        requireTls: s.require_tls,
        ca: s.tls?.ca_file ?? null,
        rejectUnauthorized: s.tls?.reject_unauthorized ?? true,
        from: { address: s.from, name: s.from_name ?? '' },
        pool: { maxConnections: s.pool?.max_connections ?? 5, maxMessages: s.pool?.max_messages ?? 100 },
        timeoutMs: s.timeout_ms,
        templates: s.templates_dir ?? new Map(),
      }),
    );
}
