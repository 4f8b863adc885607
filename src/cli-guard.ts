import { systemClock } from './domain/clock.js';
import { fail, knownAccount, knownService } from './cli-args.js';
import { isPumpingLevel, PUMPING_LEVELS } from './domain/protection/pumping.js';
import type { Stores } from './storage/stores.js';

export const GUARD_USAGE = `  npm run cli -- guard set --account AC... --service VA... --level ${PUMPING_LEVELS.join('|')}|default
  npm run cli -- guard report --account AC...`;

export interface GuardArgs {
  account?: string;
  service?: string;
  level?: string;
}

/**
 * guard set|report: a service's SMS-pumping guard level (over the file's `pumping_guard.level`
 * and the mode's default; `default` forgets it), and the account's blocked starts per service,
 * prefix and reason, with the levels its services have set.
 */
export async function guardCommand(stores: Stores, action: string, v: GuardArgs): Promise<number> {
  const accountSid = await knownAccount(stores, v.account);
  if (accountSid === null) return 1;
  if (action === 'report') {
    for (const l of await stores.pumping.listPumpingLevels(accountSid)) process.stdout.write(`${l.serviceSid}\tlevel\t${l.level}\n`);
    for (const r of await stores.pumping.blockReport(accountSid)) {
      process.stdout.write(`${r.serviceSid}\t${r.prefix}\t${r.reason}\t${r.blocked}\t${new Date(r.firstBlocked).toISOString()}\t${new Date(r.lastBlocked).toISOString()}\n`);
    }
    return 0;
  }
  const serviceSid = await knownService(stores, accountSid, v.service);
  if (serviceSid === null) return 1;
  if (v.level === 'default') {
    await stores.pumping.clearPumpingLevel(serviceSid);
    process.stdout.write(`${serviceSid}\tlevel\tdefault\n`);
    return 0;
  }
  if (!isPumpingLevel(v.level)) return fail(`--level must be one of ${PUMPING_LEVELS.join(', ')}, default`);
  await stores.pumping.setPumpingLevel(accountSid, serviceSid, v.level, systemClock.now().getTime());
  process.stdout.write(`${serviceSid}\tlevel\t${v.level}\n`);
  return 0;
}
