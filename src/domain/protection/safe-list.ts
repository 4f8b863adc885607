import type { Clock } from '../clock.js';
import { parsePhone } from '../address.js';
import { notFound } from '../errors.js';
import type { IdGenerator } from '../ids.js';
import type { SafeListStore } from '../ports/protection.js';
import type { SafeListEntry } from './types.js';

export interface SafeListDeps {
  store: SafeListStore;
  clock: Clock;
  ids: IdGenerator;
}

const PATH = '/SafeList/Numbers';

/** Puts a number on the account's Safe List; a number already on it keeps its entry (and sid). */
export async function addSafeNumber(deps: SafeListDeps, accountSid: string, phoneNumber: string): Promise<SafeListEntry> {
  const { e164 } = parsePhone(phoneNumber, 'PhoneNumber');
  return deps.store.addSafeNumber({ sid: deps.ids('GN'), accountSid, phoneNumber: e164, dateCreated: deps.clock.now().getTime() });
}

/** The number's entry; 404 when it is not on the list (or not a phone number at all). */
export async function getSafeNumber(deps: Pick<SafeListDeps, 'store'>, accountSid: string, phoneNumber: string): Promise<SafeListEntry> {
  const entry = await deps.store.getSafeNumber(accountSid, canonical(phoneNumber));
  if (!entry) throw notFound(`${PATH}/${phoneNumber}`);
  return entry;
}

export async function removeSafeNumber(deps: Pick<SafeListDeps, 'store'>, accountSid: string, phoneNumber: string): Promise<void> {
  if (!(await deps.store.deleteSafeNumber(accountSid, canonical(phoneNumber)))) throw notFound(`${PATH}/${phoneNumber}`);
}

/** The stored form of a number in a path: its E.164, or the text as given when it is none (then found nowhere). */
function canonical(phoneNumber: string): string {
  try {
    return parsePhone(phoneNumber, 'PhoneNumber').e164;
  } catch {
    return phoneNumber;
  }
}
