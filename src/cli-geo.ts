import { systemClock } from './domain/clock.js';
import { GEO_CHANNELS, parseCountries, type GeoChannel } from './domain/protection/geo.js';
import { fail, knownAccount, knownService } from './cli-args.js';
import type { Stores } from './storage/stores.js';

export const GEO_USAGE = `  npm run cli -- geo set --account AC... [--service VA...] --channel sms|call|whatsapp|sna (--allow GB,US | --block CU,IR)
  npm run cli -- geo clear --account AC... [--service VA...] --channel CHANNEL
  npm run cli -- geo list --account AC...`;

export interface GeoArgs {
  account?: string;
  service?: string;
  channel?: string;
  allow?: string;
  block?: string;
}

/**
 * geo set|clear|list: an account's (or one of its services') geo permissions per channel, which
 * override the configuration file's `geo_permissions` (the service's rule wins over the account's).
 */
export async function geoCommand(stores: Stores, action: string, v: GeoArgs): Promise<number> {
  const accountSid = await knownAccount(stores, v.account);
  if (accountSid === null) return 1;
  if (action === 'list') {
    for (const r of await stores.geoPermissions.listGeoRules(accountSid)) {
      process.stdout.write(`${r.serviceSid ?? 'account'}\t${r.channel}\t${r.rule.mode}\t${r.rule.countries.join(',')}\n`);
    }
    return 0;
  }
  // No --service: the account's own rule.
  const serviceSid = v.service === undefined ? null : await knownService(stores, accountSid, v.service);
  if (v.service !== undefined && serviceSid === null) return 1;
  const channel = v.channel ?? '';
  if (!(GEO_CHANNELS as readonly string[]).includes(channel)) return fail(`--channel must be one of ${GEO_CHANNELS.join(', ')}`);
  const scope = { accountSid, serviceSid };
  if (action === 'clear') {
    const cleared = await stores.geoPermissions.clearGeoRule(scope, channel);
    process.stdout.write(cleared ? `cleared ${channel}\n` : `no ${channel} rule was set\n`);
    return 0;
  }
  if ((v.allow === undefined) === (v.block === undefined)) return fail('give exactly one of --allow or --block');
  const mode = v.allow !== undefined ? 'allow' : 'block';
  const parsed = parseCountries((v.allow ?? v.block ?? '').split(','));
  if ('problem' in parsed) return fail(`--${mode}: ${parsed.problem}`);
  await stores.geoPermissions.setGeoRule(scope, channel as GeoChannel, { mode, countries: parsed.countries }, systemClock.now().getTime());
  process.stdout.write(`${serviceSid ?? accountSid}\t${channel}\t${mode}\t${parsed.countries.join(',')}\n`);
  return 0;
}
