import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { CODE_CHANNELS, PROVIDER_TYPES, type ProviderSpec, type ProviderTypeName, type ProvidersConfig } from '../channels/providers.js';
import { PROFILE_CHANNELS, type MessagingProfile, type Routes, type ServiceRoute } from '../channels/registry.js';
import { DEFAULT_FAILOVER, type FailoverSettings, type ProviderPrices } from '../channels/sender.js';
import type { CodeChannel } from '../domain/verification/sending.js';
import { readGeoDefaults } from './geo-file.js';
import { readPumpingGuard } from './pumping-file.js';
import { DEFAULT_LOOKUP, lookupSettingsSchema, type LookupSettings } from '../lookup/settings.js';
import { isObject, onlyKeys } from './file-values.js';

/** What VERIFYD_CONFIG configures: the code providers and their routes, and the carrier lookup. */
export interface ConfigFile {
  config: ProvidersConfig;
  lookup: LookupSettings;
  problems: string[];
}

const TOP_LEVEL = ['providers', 'routes', 'messaging_services', 'failover', 'lookup', 'geo_permissions', 'pumping_guard'];

/**
 * VERIFYD_CONFIG: the providers and the routes per channel, in YAML or JSON (docs/delivery.md),
 * and the carrier lookup (docs/lookup.md). Read once at start; every problem is listed, each with
 * where it is in the file, none with a value (a value may be a secret). `${NAME}` in a string is
 * the environment variable NAME.
 */
export function readConfigFile(path: string, env: Readonly<Record<string, string | undefined>>): ConfigFile {
  const problems: string[] = [];
  const empty = (more: string[] = []): ConfigFile => ({ config: { providers: [], routes: {} }, lookup: DEFAULT_LOOKUP, problems: [...problems, ...more] });
  const raw = parse(path, problems);
  if (raw === undefined) return empty();
  const doc = substitute(raw, '', env, problems);
  if (!isObject(doc)) return empty(['must be a mapping with providers and routes']);
  for (const key of Object.keys(doc).filter((k) => !TOP_LEVEL.includes(k))) problems.push(`${key}: is not one of ${TOP_LEVEL.join(', ')}`);
  const { providers, types } = readProviders(doc.providers, { dir: dirname(resolve(path)) }, problems);
  const routes = readRoutes(doc.routes, types, problems);
  const messagingServices = readProfiles(doc.messaging_services, types, problems);
  const failover = readFailover(doc.failover, problems);
  const config: ProvidersConfig = { providers, routes, messagingServices, failover };
  if (doc.geo_permissions !== undefined) config.geoPermissions = readGeoDefaults(doc.geo_permissions, problems);
  if (doc.pumping_guard !== undefined) config.pumpingGuard = readPumpingGuard(doc.pumping_guard, problems);
  return { config, lookup: readLookup(doc.lookup, problems), problems };
}

function readLookup(value: unknown, problems: string[]): LookupSettings {
  if (value === undefined) return DEFAULT_LOOKUP;
  if (!isObject(value)) {
    problems.push('lookup: must be a mapping with type (bundled or twilio) and its settings');
    return DEFAULT_LOOKUP;
  }
  const parsed = lookupSettingsSchema.safeParse({ type: 'bundled', ...value }, { reportInput: true });
  if (parsed.success) return parsed.data;
  parsed.error.issues.forEach((issue) => problems.push(`lookup${issue.path.map((p) => `.${String(p)}`).join('')}: ${message(issue)}`));
  return DEFAULT_LOOKUP;
}

function parse(path: string, problems: string[]): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
  // YAML 1.2 reads JSON too. Its messages quote the line they stop at, which may hold a secret: say where, never what.
  const doc = parseDocument(text, { prettyErrors: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problems.push(`is not valid YAML or JSON (${e.code}${e.linePos ? ` at line ${e.linePos[0].line}` : ''})`);
    return undefined;
  }
  return doc.toJS({ maxAliasCount: 100 }) as unknown;
}

const NAME_REF = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Every string with `${NAME}` replaced by the variable; `$${NAME}` is the text `${NAME}`. Unset or empty is a problem. */
function substitute(value: unknown, at: string, env: Readonly<Record<string, string | undefined>>, problems: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(NAME_REF, (whole, escaped: string, name: string) => {
      if (escaped) return whole.slice(1);
      const v = env[name];
      if (v === undefined || v === '') problems.push(`${at || 'the file'}: \${${name}} names an environment variable that is not set`);
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substitute(v, `${at}[${i}]`, env, problems));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, at ? `${at}.${k}` : k, env, problems)]));
  return value;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** The providers whose settings are right, and the type of every named one (routes are checked against those). */
function readProviders(value: unknown, file: { dir: string }, problems: string[]): { providers: ProviderSpec[]; types: Map<string, ProviderTypeName> } {
  const specs: ProviderSpec[] = [];
  const types = new Map<string, ProviderTypeName>();
  if (value === undefined) return { providers: specs, types };
  if (!Array.isArray(value)) {
    problems.push('providers: must be a list');
    return { providers: specs, types };
  }
  const names = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const at = `providers[${i}]`;
    if (!isObject(entry)) return problems.push(`${at}: must be a mapping with name, type and the type's settings`);
    const { name, type, price, ...settings } = entry;
    const typeName = typeof type === 'string' && Object.hasOwn(PROVIDER_TYPES, type) ? (type as ProviderTypeName) : undefined;
    let named: string | undefined;
    if (typeof name !== 'string' || !NAME.test(name)) problems.push(`${at}.name: must be 1 to 64 letters, digits, - or _`);
    else if (names.has(name)) problems.push(`${at}.name: ${name} is already the name of another provider`);
    else if (name === 'inbox' && typeName !== undefined && typeName !== 'inbox') problems.push(`${at}.name: inbox is kept for a provider of type inbox`);
    else named = name;
    if (typeof name === 'string') names.add(name);
    if (typeName === undefined) return problems.push(`${at}.type: must be one of ${Object.keys(PROVIDER_TYPES).join(', ')}`);
    if (named !== undefined) types.set(named, typeName);
    const parsed = (PROVIDER_TYPES[typeName].settings(file) as z.ZodType<unknown, unknown>).safeParse(settings, { reportInput: true });
    if (!parsed.success) return parsed.error.issues.forEach((issue) => problems.push(`${at}${issue.path.map((p) => `.${String(p)}`).join('')}: ${message(issue)}`));
    const prices = price === undefined ? undefined : readPrice(price, `${at}.price`, problems);
    if (named !== undefined) specs.push({ name: named, type: typeName, settings: parsed.data, ...(prices ? { price: prices } : {}) } as ProviderSpec);
  });
  return { providers: specs, types };
}

/** Zod's own messages, but plainer where a key is missing, of the wrong kind, or unknown (the typo). */
function message(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'is required' : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  return issue.message;
}

/** A provider's `price`: `default` and ISO countries to decimal strings, in PRICE_TABLE's currency. */
function readPrice(value: unknown, at: string, problems: string[]): ProviderPrices | undefined {
  if (!isObject(value)) return void problems.push(`${at}: must be a mapping of default or a country code to a price such as "0.0079"`);
  const before = problems.length;
  for (const [key, v] of Object.entries(value)) {
    if (key !== 'default' && !COUNTRY.test(key)) problems.push(`${at}.${key}: must be default or an ISO 3166 alpha-2 country code`);
    if (typeof v !== 'string' || !/^\d{1,9}(\.\d{1,9})?$/.test(v)) problems.push(`${at}.${key}: must be a decimal string such as "0.0079"`);
  }
  return problems.length === before ? (value as ProviderPrices) : undefined;
}

const COUNTRY = /^[A-Z]{2}$/;
const MG_SID = /^MG[0-9a-fA-F]{32}$/;
const VA_SID = /^VA[0-9a-fA-F]{32}$/;

/** Checks one list of provider names for a channel; the list when it is right. */
function providerList(value: unknown, at: string, channel: CodeChannel, types: ReadonlyMap<string, ProviderTypeName>, problems: string[]): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every((n) => typeof n === 'string')) {
    problems.push(`${at}: must be a non-empty list of provider names`);
    return undefined;
  }
  const before = problems.length;
  for (const name of value as string[]) {
    const type = types.get(name);
    if (!type) problems.push(`${at}: names ${name}, which is not a configured provider`);
    else if (!PROVIDER_TYPES[type].channels.includes(channel)) problems.push(`${at}: ${name} (type ${type}) does not carry ${channel}`);
  }
  return problems.length === before ? (value as string[]) : undefined;
}

/** `countries`: ISO codes to provider lists. */
function countryLists(value: unknown, at: string, channel: CodeChannel, types: ReadonlyMap<string, ProviderTypeName>, problems: string[]): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return void problems.push(`${at}: must be a mapping of country code: [provider names]`);
  const out: Record<string, string[]> = {};
  for (const [cc, list] of Object.entries(value)) {
    if (!COUNTRY.test(cc)) problems.push(`${at}.${cc}: is not an ISO 3166 alpha-2 country code (upper case)`);
    const names = providerList(list, `${at}.${cc}`, channel, types, problems);
    if (names && COUNTRY.test(cc)) out[cc] = names;
  }
  return out;
}

/**
 * `routes`: per channel a list (every country), or `{default, countries, services}` where
 * `services` maps a service sid to a list or to `{default, countries}` (docs/delivery.md, "Routing").
 */
function readRoutes(value: unknown, types: ReadonlyMap<string, ProviderTypeName>, problems: string[]): Routes {
  const routes: Routes = {};
  if (value === undefined) return routes;
  if (!isObject(value)) {
    problems.push('routes: must be a mapping of channel: [provider names]');
    return routes;
  }
  for (const [channel, route] of Object.entries(value)) {
    const at = `routes.${channel}`;
    if (!(CODE_CHANNELS as readonly string[]).includes(channel)) {
      problems.push(`${at}: is not a channel (${CODE_CHANNELS.join(', ')})`);
      continue;
    }
    const ch = channel as CodeChannel;
    if (!isObject(route)) {
      const names = providerList(route, at, ch, types, problems);
      if (names) routes[ch] = { default: names };
      continue;
    }
    onlyKeys(route, at, ['default', 'countries', 'services'], problems);
    const fallback = providerList(route.default, `${at}.default`, ch, types, problems);
    const countries = countryLists(route.countries, `${at}.countries`, ch, types, problems);
    const services = readServiceRoutes(route.services, `${at}.services`, ch, types, problems);
    if (fallback) routes[ch] = { default: fallback, ...(countries ? { countries } : {}), ...(services ? { services } : {}) };
  }
  return routes;
}

function readServiceRoutes(value: unknown, at: string, channel: CodeChannel, types: ReadonlyMap<string, ProviderTypeName>, problems: string[]): Record<string, ServiceRoute> | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) return void problems.push(`${at}: must be a mapping of service sid (VA...) to a route`);
  const out: Record<string, ServiceRoute> = {};
  for (const [sid, route] of Object.entries(value)) {
    const where = `${at}.${sid}`;
    if (!VA_SID.test(sid)) problems.push(`${where}: is not a service sid (VA and 32 hex digits)`);
    if (!isObject(route)) {
      const names = providerList(route, where, channel, types, problems);
      if (names) out[sid] = { default: names };
      continue;
    }
    onlyKeys(route, where, ['default', 'countries'], problems);
    if (route.default === undefined && route.countries === undefined) problems.push(`${where}: must have default or countries`);
    const fallback = route.default === undefined ? undefined : providerList(route.default, `${where}.default`, channel, types, problems);
    const countries = countryLists(route.countries, `${where}.countries`, channel, types, problems);
    out[sid] = { ...(fallback ? { default: fallback } : {}), ...(countries ? { countries } : {}) };
  }
  return out;
}

/** `messaging_services`: sender profiles, each an MG sid and provider lists for sms and/or whatsapp. */
function readProfiles(value: unknown, types: ReadonlyMap<string, ProviderTypeName>, problems: string[]): MessagingProfile[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return problems.push('messaging_services: must be a list'), [];
  const out: MessagingProfile[] = [];
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const at = `messaging_services[${i}]`;
    if (!isObject(entry)) return problems.push(`${at}: must be a mapping with sid and sms and/or whatsapp`);
    onlyKeys(entry, at, ['sid', ...PROFILE_CHANNELS], problems);
    const sid = entry.sid;
    if (typeof sid !== 'string' || !MG_SID.test(sid)) problems.push(`${at}.sid: must be a Messaging Service sid (MG and 32 hex digits)`);
    else if (seen.has(sid)) problems.push(`${at}.sid: ${sid} is already another profile's`);
    if (typeof sid === 'string') seen.add(sid);
    const profile: MessagingProfile = { sid: String(sid) };
    for (const channel of PROFILE_CHANNELS) {
      if (entry[channel] === undefined) continue;
      const names = providerList(entry[channel], `${at}.${channel}`, channel, types, problems);
      if (names) profile[channel] = names;
    }
    if (entry.sms === undefined && entry.whatsapp === undefined) problems.push(`${at}: must name providers for sms and/or whatsapp`);
    out.push(profile);
  });
  return out;
}

/** `failover`: the receipt wait and the circuits; every key optional. */
function readFailover(value: unknown, problems: string[]): FailoverSettings {
  if (value === undefined) return DEFAULT_FAILOVER;
  if (!isObject(value)) return problems.push('failover: must be a mapping'), DEFAULT_FAILOVER;
  const keys = ['receipt_timeout_seconds', 'on_receipt_timeout', 'circuit_failures', 'circuit_cool_down_seconds'];
  onlyKeys(value, 'failover', keys, problems);
  const whole = (key: string, min: number, max: number, fallback: number): number => {
    const v = value[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return problems.push(`failover.${key}: must be a whole number from ${min} to ${max}`), fallback;
    return v;
  };
  const on = value.on_receipt_timeout;
  if (on !== undefined && typeof on !== 'boolean') problems.push('failover.on_receipt_timeout: must be true or false');
  const d = DEFAULT_FAILOVER;
  return {
    receiptTimeoutMs: whole('receipt_timeout_seconds', 1, 86_400, d.receiptTimeoutMs / 1000) * 1000,
    onReceiptTimeout: on === true,
    circuit: { failures: whole('circuit_failures', 1, 1000, d.circuit.failures), coolDownMs: whole('circuit_cool_down_seconds', 1, 86_400, d.circuit.coolDownMs / 1000) * 1000 },
  };
}
