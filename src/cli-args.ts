import { isSid } from './domain/ids.js';
import type { Stores } from './storage/stores.js';

/** Says why on stderr and gives the exit code: 2 for bad input, 1 for something that does not exist. */
export function fail(msg: string, code = 2): number {
  process.stderr.write(`${msg}\n`);
  return code;
}

/** The account `--account` names when it exists; otherwise says so (exit 1) and gives null. */
export async function knownAccount(stores: Stores, sid: string | undefined): Promise<string | null> {
  const accountSid = sid ?? '';
  if (isSid(accountSid, 'AC') && (await stores.accounts.getAccount(accountSid))) return accountSid;
  fail(`unknown account: ${JSON.stringify(accountSid)}`, 1);
  return null;
}

/** The account's service `--service` names when it exists; otherwise says so (exit 1) and gives null. */
export async function knownService(stores: Stores, accountSid: string, sid: string | undefined): Promise<string | null> {
  const serviceSid = sid ?? '';
  if (isSid(serviceSid, 'VA') && (await stores.services.getService(accountSid, serviceSid))) return serviceSid;
  fail(`unknown service of ${accountSid}: ${JSON.stringify(serviceSid)}`, 1);
  return null;
}
