import type { Clock } from '../clock.js';
import { TwilioError, verifyInvalidParam, notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import { withinQuota } from '../quotas.js';
import type { PageQuery, ServiceStore, TemplateStore } from '../ports.js';
import { templateOf } from '../templates/templates.js';
import type { Service, ServiceConfig } from '../types.js';

export interface ServiceDeps {
  store: ServiceStore;
  /** At most this many services per account (ACCOUNT_MAX_SERVICES). */
  maxServices: number;
  /** DefaultTemplateSid must name one of the account's templates. */
  templates: TemplateStore;
  clock: Clock;
  ids: IdGenerator;
}

type Nested<T> = { [K in keyof T]?: T[K] extends (infer _U)[] | null ? T[K] : T[K] extends object | null ? Nested<NonNullable<T[K]>> : T[K] };
export type ServicePatch = Nested<ServiceConfig> & { friendlyName?: string };

export const DEFAULT_CODE_LENGTH = 6;

export function defaultConfig(): ServiceConfig {
  return {
    codeLength: DEFAULT_CODE_LENGTH,
    lookupEnabled: false,
    psd2Enabled: false,
    skipSmsToLandlines: false,
    dtmfInputRequired: false,
    ttsName: null,
    doNotShareWarningEnabled: false,
    customCodeEnabled: false,
    push: { includeDate: false, apnCredentialSid: null, fcmCredentialSid: null },
    totp: { issuer: null, timeStep: null, codeLength: null, skew: null },
    whatsapp: { msgServiceSid: null, from: null },
    passkeys: {
      relyingParty: { id: null, name: null, origins: null },
      authenticatorAttachment: null,
      discoverableCredentials: null,
      userVerification: null,
    },
    defaultTemplateSid: null,
    verifyEventSubscriptionEnabled: false,
  };
}

/**
 * Twilio's rules: up to 30 characters of letters, numbers, spaces, dashes and underscores, with
 * no more than 4 digits in total (so a phone number cannot hide in it) and no links.
 */
/** A service's name, or a start's CustomFriendlyName: it is written into messages (and mail headers). */
export function validateFriendlyName(name: string, param = 'FriendlyName'): void {
  if (name.trim().length === 0) throw verifyInvalidParam(param);
  if ([...name].length > 30) throw new TwilioError(60200, `${param} is too long (max 30 characters)`);
  if (!/^[\p{L}\p{M}\p{N} _-]+$/u.test(name)) throw verifyInvalidParam(param);
  if ((name.match(/\p{N}/gu)?.length ?? 0) > 4) throw verifyInvalidParam(param);
}

const inRange = (value: number | null | undefined, min: number, max: number, param: string): void => {
  if (value !== null && value !== undefined && (!Number.isInteger(value) || value < min || value > max)) throw verifyInvalidParam(param);
};

/** Merges a patch over a config, validating every range the docs state. */
export function applyPatch(config: ServiceConfig, patch: ServicePatch): ServiceConfig {
  inRange(patch.codeLength, 4, 10, 'CodeLength');
  inRange(patch.totp?.timeStep, 20, 60, 'Totp.TimeStep');
  inRange(patch.totp?.codeLength, 3, 8, 'Totp.CodeLength');
  inRange(patch.totp?.skew, 0, 2, 'Totp.Skew');
  const { friendlyName: _ignored, ...rest } = patch;
  return merge(config, rest) as ServiceConfig;
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
  return out;
}

const missing = (sid: string) => notFound(`/Services/${sid}`);

/** A DefaultTemplateSid that is not the account's answers 60228, as a start's TemplateSid does. */
async function checkDefaultTemplate(deps: ServiceDeps, accountSid: string, patch: ServicePatch): Promise<void> {
  if (typeof patch.defaultTemplateSid === 'string') await templateOf(deps.templates, accountSid, patch.defaultTemplateSid);
}

export async function createService(deps: ServiceDeps, accountSid: string, patch: ServicePatch): Promise<Service> {
  if (patch.friendlyName === undefined) throw verifyInvalidParam('FriendlyName');
  validateFriendlyName(patch.friendlyName);
  await checkDefaultTemplate(deps, accountSid, patch);
  const now = deps.clock.now().getTime();
  const service: Service = {
    sid: deps.ids('VA'),
    accountSid,
    friendlyName: patch.friendlyName,
    config: applyPatch(defaultConfig(), patch),
    dateCreated: now,
    dateUpdated: now,
  };
  await withinQuota('services', () => deps.store.insertService(service, deps.maxServices));
  return service;
}

/** The account's service, or undefined: for callers that answer a missing service their own way. */
export function findService(deps: ServiceDeps, accountSid: string, sid: string): Promise<Service | undefined> {
  return deps.store.getService(accountSid, sid);
}

export async function getService(deps: ServiceDeps, accountSid: string, sid: string): Promise<Service> {
  const service = await deps.store.getService(accountSid, sid);
  if (!service) throw missing(sid);
  return service;
}

export async function updateService(deps: ServiceDeps, accountSid: string, sid: string, patch: ServicePatch): Promise<Service> {
  if (patch.friendlyName !== undefined) validateFriendlyName(patch.friendlyName);
  await checkDefaultTemplate(deps, accountSid, patch);
  const now = deps.clock.now().getTime();
  const updated = await deps.store.updateService(accountSid, sid, (current) => ({
    ...current,
    friendlyName: patch.friendlyName ?? current.friendlyName,
    config: applyPatch(current.config, patch),
    dateUpdated: now,
  }));
  if (!updated) throw missing(sid);
  return updated;
}

export async function deleteService(deps: ServiceDeps, accountSid: string, sid: string): Promise<void> {
  if (!(await deps.store.deleteService(accountSid, sid))) throw missing(sid);
}

export function listServices(deps: ServiceDeps, accountSid: string, page: PageQuery): Promise<Service[]> {
  return deps.store.listServices(accountSid, page);
}
