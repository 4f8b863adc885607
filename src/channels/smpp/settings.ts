import { z } from 'zod';
import { fileText } from '../smtp/settings.js';

/** An `smpp` provider's settings, as the provider uses them. */
export interface SmppSettings {
  host: string;
  port: number;
  /** smpps://: TLS from the first byte. */
  tls: boolean;
  ca: string | null;
  rejectUnauthorized: boolean;
  systemId: string;
  password: string;
  systemType: string;
  source: { addr: string; ton: number; npi: number };
  /** Connections (bind_transceiver) kept open at once. */
  binds: number;
  /** Outstanding submit_sm per bind (sent, not yet answered). */
  window: number;
  /** submit_sm per second over all binds (each bind gets its share). */
  maxPerSecond: number;
  enquireLinkMs: number;
  /** How long a submit_sm (and bind, enquire_link) may wait for its answer before the connection counts as dead. */
  submitTimeoutMs: number;
  reconnect: { minMs: number; maxMs: number };
  /** registered_delivery: ask for a final delivery receipt. */
  receipts: boolean;
}

/** SMPP 3.4 TON and NPI values (5.2.5, 5.2.6) used for source addresses. */
export const TON = { international: 1, networkSpecific: 3, alphanumeric: 5 } as const;
export const NPI = { unknown: 0, isdn: 1 } as const;

/**
 * The source address as the SMSC wants it, TON/NPI worked out from its form unless set: `+` and
 * digits is an international number (the `+` dropped), up to 8 digits a short code, more digits
 * an international number without its `+`, anything else an alphanumeric sender (at most 11 GSM
 * characters, as handsets show).
 */
export function sourceAddress(addr: string): { addr: string; ton: number; npi: number } | string {
  if (/^\+\d{1,15}$/.test(addr)) return { addr: addr.slice(1), ton: TON.international, npi: NPI.isdn };
  if (/^\d{1,8}$/.test(addr)) return { addr, ton: TON.networkSpecific, npi: NPI.unknown };
  if (/^\d{9,15}$/.test(addr)) return { addr, ton: TON.international, npi: NPI.isdn };
  if (/^[A-Za-z0-9 .&'_-]{1,11}$/.test(addr)) return { addr, ton: TON.alphanumeric, npi: NPI.unknown };
  return 'must be a number (+ and up to 15 digits, or a short code) or up to 11 letters, digits, spaces or . & \' _ -';
}

function smppUrl(v: string, ctx: z.RefinementCtx) {
  const url = URL.canParse(v) ? new URL(v) : null;
  if (!url || (url.protocol !== 'smpp:' && url.protocol !== 'smpps:') || url.hostname === '') {
    ctx.addIssue({ code: 'custom', message: 'must be smpp://host[:port] or smpps://host[:port]' });
    return null;
  }
  if (url.username !== '' || url.password !== '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') {
    ctx.addIssue({ code: 'custom', message: 'takes only a host and port: system_id and password have their own keys' });
  }
  const tls = url.protocol === 'smpps:';
  // 2775 is SMPP's registered port; TLS has none, 3550 is the common choice.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port === '' ? (tls ? 3550 : 2775) : Number(url.port), tls };
}

/** A C-Octet String of SMPP: printable ASCII within the field's size (less its terminating NUL). */
const cString = (max: number) => z.string().regex(/^[\x20-\x7e]*$/, 'must be printable ASCII').max(max);

/** The `smpp` type's keys beside `name` and `type`. */
export function smppSettings(file: { dir: string }) {
  return z
    .strictObject({
      url: z.string().transform(smppUrl),
      system_id: cString(15).min(1),
      password: cString(8),
      system_type: cString(12).default(''),
      source_addr: z.string(),
      source_addr_ton: z.int().min(0).max(6).optional(),
      source_addr_npi: z.int().min(0).max(18).optional(),
      binds: z.int().min(1).max(32).default(1),
      window: z.int().min(1).max(1000).default(10),
      max_per_second: z.number().positive().max(100_000).default(50),
      enquire_link_seconds: z.number().min(1).max(3600).default(30),
      submit_timeout_ms: z.int().min(100).max(600_000).default(10_000),
      reconnect_min_ms: z.int().min(10).max(600_000).default(1000),
      reconnect_max_ms: z.int().min(10).max(3_600_000).default(30_000),
      registered_delivery: z.boolean().default(true),
      tls: z.strictObject({ ca_file: fileText(file.dir).optional(), reject_unauthorized: z.boolean().default(true) }).optional(),
    })
    .superRefine((s, ctx) => {
      const source = sourceAddress(s.source_addr);
      if (typeof source === 'string') ctx.addIssue({ code: 'custom', path: ['source_addr'], message: source });
      if (s.reconnect_max_ms < s.reconnect_min_ms) ctx.addIssue({ code: 'custom', path: ['reconnect_max_ms'], message: 'must not be less than reconnect_min_ms' });
    })
    .transform((s): SmppSettings => {
      const source = sourceAddress(s.source_addr) as { addr: string; ton: number; npi: number };
      return {
        // Not null here: a bad URL is an issue, and no settings come out of a parse with issues.
        ...s.url!,
        ca: s.tls?.ca_file ?? null,
        rejectUnauthorized: s.tls?.reject_unauthorized ?? true,
        systemId: s.system_id,
        password: s.password,
        systemType: s.system_type,
        source: { addr: source.addr, ton: s.source_addr_ton ?? source.ton, npi: s.source_addr_npi ?? source.npi },
        binds: s.binds,
        window: s.window,
        maxPerSecond: s.max_per_second,
        enquireLinkMs: s.enquire_link_seconds * 1000,
        submitTimeoutMs: s.submit_timeout_ms,
        reconnect: { minMs: s.reconnect_min_ms, maxMs: s.reconnect_max_ms },
        receipts: s.registered_delivery,
      };
    });
}
