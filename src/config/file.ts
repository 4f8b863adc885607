import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { CODE_CHANNELS, PROVIDER_TYPES, type ProviderSpec, type ProviderTypeName, type ProvidersConfig } from '../channels/providers.js';
import type { Routes } from '../channels/registry.js';
import type { CodeChannel } from '../domain/verification/sending.js';
import { readGeoDefaults } from './geo-file.js';
import { DEFAULT_LOOKUP, lookupSettingsSchema, type LookupSettings } from '../lookup/settings.js';

/** What VERIFYD_CONFIG configures: the code providers and their routes, and the carrier lookup. */
export interface ConfigFile {
  config: ProvidersConfig;
  lookup: LookupSettings;
  problems: string[];
}

const TOP_LEVEL = ['providers', 'routes', 'lookup', 'geo_permissions'];

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
  const config: ProvidersConfig = { providers, routes };
  if (doc.geo_permissions !== undefined) config.geoPermissions = readGeoDefaults(doc.geo_permissions, problems);
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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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
    const { name, type, ...settings } = entry;
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
    if (named !== undefined) specs.push({ name: named, type: typeName, settings: parsed.data } as ProviderSpec);
  });
  return { providers: specs, types };
}

/** Zod's own messages, but plainer where a key is missing, of the wrong kind, or unknown (the typo). */
function message(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'is required' : `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}`;
  return issue.message;
}

function readRoutes(value: unknown, types: ReadonlyMap<string, ProviderTypeName>, problems: string[]): Routes {
  const routes: Routes = {};
  if (value === undefined) return routes;
  if (!isObject(value)) {
    problems.push('routes: must be a mapping of channel: [provider names]');
    return routes;
  }
  for (const [channel, names] of Object.entries(value)) {
    const at = `routes.${channel}`;
    if (!(CODE_CHANNELS as readonly string[]).includes(channel)) {
      problems.push(`${at}: is not a channel (${CODE_CHANNELS.join(', ')})`);
      continue;
    }
    if (!Array.isArray(names) || names.length === 0 || !names.every((n) => typeof n === 'string')) {
      problems.push(`${at}: must be a non-empty list of provider names`);
      continue;
    }
    for (const name of names as string[]) {
      const type = types.get(name);
      if (!type) problems.push(`${at}: names ${name}, which is not a configured provider`);
      else if (!PROVIDER_TYPES[type].channels.includes(channel as CodeChannel)) {
        problems.push(`${at}: ${name} (type ${type}) does not carry ${channel}`);
      }
    }
    routes[channel as CodeChannel] = { default: names as string[] };
  }
  return routes;
}
