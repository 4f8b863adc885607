import type { Clock } from '../clock.js';
import { notFound, TwilioError, verifyInvalidParam } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { PageQuery } from '../ports/paging.js';
import type { MessagingConfiguration, MessagingConfigurationStore } from '../ports/messaging-configurations.js';
import type { ServiceStore } from '../ports/services.js';

/**
 * Messaging Configurations: a service's sender profile per destination country (or `all`). The
 * profile is one of the configuration file's `messaging_services` (its MG sid); it is not sent to
 * any carrier, it chooses which providers send there, ahead of the routes (docs/delivery.md).
 */
export interface MessagingConfigurationDeps {
  store: MessagingConfigurationStore;
  services: ServiceStore;
  /** Whether an MG sid names a configured sender profile. */
  hasProfile: (sid: string) => boolean;
  clock: Clock;
  ids: IdGenerator;
}

const MG_SID = /^MG[0-9a-fA-F]{32}$/;

/** `all`, or an ISO 3166 alpha-2 code in either case (stored upper case). */
export function readCountry(country: string): string {
  if (country.toLowerCase() === 'all') return 'all';
  if (!/^[A-Za-z]{2}$/.test(country)) throw verifyInvalidParam('Country');
  return country.toUpperCase();
}

function checkProfile(deps: MessagingConfigurationDeps, sid: string | undefined): string {
  if (sid === undefined || !MG_SID.test(sid)) throw verifyInvalidParam('MessagingServiceSid');
  // Twilio's "The Messaging Service does not exist" (docs/wire-decisions.md): verifyd's profiles are its Messaging Services.
  if (!deps.hasProfile(sid)) throw new TwilioError(21701, `The Messaging Service ${sid} does not exist`);
  return sid;
}

async function ownService(deps: MessagingConfigurationDeps, accountSid: string, serviceSid: string, path: string): Promise<void> {
  if (!(await deps.services.getService(accountSid, serviceSid))) throw notFound(path);
}

const pathOf = (serviceSid: string, country?: string) => `/Services/${serviceSid}/MessagingConfigurations${country === undefined ? '' : `/${country}`}`;

export async function createMessagingConfiguration(deps: MessagingConfigurationDeps, accountSid: string, serviceSid: string, input: { country?: string; messagingServiceSid?: string }): Promise<MessagingConfiguration> {
  await ownService(deps, accountSid, serviceSid, pathOf(serviceSid));
  if (input.country === undefined) throw verifyInvalidParam('Country');
  const country = readCountry(input.country);
  const messagingServiceSid = checkProfile(deps, input.messagingServiceSid);
  const now = deps.clock.now().getTime();
  const c: MessagingConfiguration = { sid: deps.ids('MC'), accountSid, serviceSid, country, messagingServiceSid, dateCreated: now, dateUpdated: now };
  if (!(await deps.store.insertMessagingConfiguration(c))) throw new TwilioError(60213);
  return c;
}

export async function getMessagingConfiguration(deps: MessagingConfigurationDeps, accountSid: string, serviceSid: string, country: string): Promise<MessagingConfiguration> {
  await ownService(deps, accountSid, serviceSid, pathOf(serviceSid, country));
  const c = await deps.store.getMessagingConfiguration(serviceSid, countryOrMissing(serviceSid, country));
  if (!c) throw notFound(pathOf(serviceSid, country));
  return c;
}

export async function listMessagingConfigurations(deps: MessagingConfigurationDeps, accountSid: string, serviceSid: string, page: PageQuery): Promise<MessagingConfiguration[]> {
  await ownService(deps, accountSid, serviceSid, pathOf(serviceSid));
  return deps.store.listMessagingConfigurations(serviceSid, page);
}

export async function updateMessagingConfiguration(deps: MessagingConfigurationDeps, accountSid: string, serviceSid: string, country: string, messagingServiceSid: string | undefined): Promise<MessagingConfiguration> {
  await ownService(deps, accountSid, serviceSid, pathOf(serviceSid, country));
  const cc = countryOrMissing(serviceSid, country);
  const sid = checkProfile(deps, messagingServiceSid);
  const c = await deps.store.updateMessagingConfiguration(serviceSid, cc, sid, deps.clock.now().getTime());
  if (!c) throw notFound(pathOf(serviceSid, country));
  return c;
}

export async function deleteMessagingConfiguration(deps: MessagingConfigurationDeps, accountSid: string, serviceSid: string, country: string): Promise<void> {
  await ownService(deps, accountSid, serviceSid, pathOf(serviceSid, country));
  if (!(await deps.store.deleteMessagingConfiguration(serviceSid, countryOrMissing(serviceSid, country)))) throw notFound(pathOf(serviceSid, country));
}

/** A path's Country that cannot name a configuration names nothing (404, not 400). */
function countryOrMissing(serviceSid: string, country: string): string {
  try {
    return readCountry(country);
  } catch {
    throw notFound(pathOf(serviceSid, country));
  }
}
