/**
 * The SMS-pumping guard's traffic simulator (issue 13, section 4): its domain logic and its store
 * on a real SQLite file, in process, on a simulated clock (an hour and a half of traffic in
 * seconds). The traffic model is the issue's, fixed before the guard's thresholds were chosen:
 *
 * - legitimate: Poisson arrivals across 32 countries (Zipf-like weights, BENCH_PUMPING_RATE starts a
 *   minute in all, default 40), random numbers in each country's mobile range; 80 % are approved
 *   between 10 s and 2 minutes after their start (the code entered), 20 % never. A marketing burst
 *   in Brazil: 10 times its baseline for 15 minutes (minutes 70-85), converting like the rest.
 * - attack: after the hour of warm-up, 30 minutes (minutes 60-90) of Poisson starts at
 *   BENCH_PUMPING_ATTACK_RATE a minute (default 30, at least 20) to consecutive numbers in 1, 2 or 3
 *   prefixes of one country (Great Britain; one run each), none ever approved.
 *
 * Reported per protection level: the share of attack starts blocked after the attack's first
 * minute (aim: at least 95 % at standard), the share of legitimate starts blocked (aim: at most
 * 0.1 %), the marketing burst's starts blocked (aim: none at basic), the blocks by reason, and the
 * guard's cost per start (two statements) on this machine.
 *
 *   npx tsx bench/pumping.ts        or        BENCH_SCENARIOS=pumping npm run bench
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js';
import examples from 'libphonenumber-js/mobile/examples';
import { ManualClock } from '../src/domain/clock.js';
import { judgePumping, recordPumpingApproval, type PumpingDeps } from '../src/domain/protection/pumping-guard.js';
import { DEFAULT_HIGH_COST, type PumpingLevel, type PumpingReason } from '../src/domain/protection/pumping.js';
import { openStores } from '../src/storage/open.js';
import { mulberry32 } from './attempts-data.js';

const COUNTRIES: CountryCode[] = [
  'US', 'IN', 'BR', 'GB', 'DE', 'FR', 'ID', 'MX', 'NG', 'PH', 'ES', 'IT', 'TR', 'PK', 'VN', 'EG',
  'PL', 'CA', 'AU', 'NL', 'AR', 'CO', 'ZA', 'KE', 'JP', 'TH', 'SE', 'BE', 'PT', 'CH', 'SG', 'NZ',
];
const MARKETING_COUNTRY: CountryCode = 'BR';
const ATTACK_COUNTRY: CountryCode = 'GB';
const MIN = 60_000;
const WARMUP_MIN = 60;
const ATTACK_MIN = 30;
const MARKETING = { from: 70, to: 85, factor: 10 };
const END_MIN = 100;

interface Start {
  t: number;
  to: string;
  country: CountryCode;
  kind: 'legit' | 'marketing' | 'attack';
  /** When the code is entered (legitimate starts that convert), else null. */
  approveAfter: number | null;
}

export interface PumpingRow {
  level: PumpingLevel;
  attackPrefixes: number;
  attackAfterFirstMinute: number;
  attackBlockedAfterFirstMinute: number;
  legit: number;
  legitBlocked: number;
  marketing: number;
  marketingBlocked: number;
  reasons: Partial<Record<PumpingReason, number>>;
  usPerStart: number;
}

/** Poisson arrival times (ms) at `perMinute` between two minutes. */
function arrivals(rand: () => number, perMinute: number, fromMin: number, toMin: number): number[] {
  const out: number[] = [];
  let t = fromMin * MIN;
  for (;;) {
    t += (-Math.log(1 - rand()) / perMinute) * MIN;
    if (t >= toMin * MIN) return out;
    out.push(t);
  }
}

/** A country's mobile numbers: its example's first two national digits, the rest random. */
function mobileNumber(rand: () => number, country: CountryCode): string {
  const ex = getExampleNumber(country, examples)!;
  const nn = ex.nationalNumber;
  let rest = '';
  for (let i = 2; i < nn.length; i++) rest += Math.floor(rand() * 10);
  return `+${ex.countryCallingCode}${nn.slice(0, 2)}${rest}`;
}

export function traffic(seed: number, legitPerMinute: number, attackPerMinute: number, attackPrefixes: number): Start[] {
  const rand = mulberry32(seed);
  const weights = COUNTRIES.map((_, i) => 1 / Math.pow(i + 1, 0.7));
  const total = weights.reduce((a, b) => a + b, 0);
  const starts: Start[] = [];
  const legit = (country: CountryCode, kind: Start['kind'], times: number[]) => {
    for (const t of times) {
      const approveAfter = rand() < 0.8 ? 10_000 + rand() * 110_000 : null;
      starts.push({ t, to: mobileNumber(rand, country), country, kind, approveAfter });
    }
  };
  COUNTRIES.forEach((c, i) => legit(c, 'legit', arrivals(rand, (legitPerMinute * weights[i]!) / total, 0, END_MIN)));
  // The burst is 10x the country's baseline: 9x more on top of it.
  const base = (legitPerMinute * weights[COUNTRIES.indexOf(MARKETING_COUNTRY)]!) / total;
  legit(MARKETING_COUNTRY, 'marketing', arrivals(rand, base * (MARKETING.factor - 1), MARKETING.from, MARKETING.to));
  // The attacker walks through consecutive numbers from a random point in each of its prefixes.
  const ex = getExampleNumber(ATTACK_COUNTRY, examples)!;
  const nn = ex.nationalNumber;
  const next = Array.from({ length: attackPrefixes }, (_, i) => Number(`${nn.slice(0, 2)}${(i * 3 + 1) % 10}${String(Math.floor(rand() * 1e6)).padStart(nn.length - 3, '0')}`));
  for (const t of arrivals(rand, attackPerMinute, WARMUP_MIN, WARMUP_MIN + ATTACK_MIN)) {
    const p = Math.floor(rand() * attackPrefixes);
    starts.push({ t, to: `+${ex.countryCallingCode}${next[p]!++}`, country: ATTACK_COUNTRY, kind: 'attack', approveAfter: null });
  }
  return starts.sort((a, b) => a.t - b.t);
}

/** A ManualClock the simulator sets to each event's time. */
class SimClock extends ManualClock {
  set(ms: number): void {
    this.advance(ms - this.now().getTime());
  }
}

/** Runs one level over the traffic, on its own service's counters in the shared file. */
async function simulate(deps: PumpingDeps, clock: SimClock, serviceSid: string, starts: Start[], epoch: number, attackPrefixes: number): Promise<PumpingRow> {
  const row: PumpingRow = {
    level: deps.defaultLevel,
    attackPrefixes,
    attackAfterFirstMinute: 0,
    attackBlockedAfterFirstMinute: 0,
    legit: 0,
    legitBlocked: 0,
    marketing: 0,
    marketingBlocked: 0,
    reasons: {},
    usPerStart: 0,
  };
  // Approvals due, kept sorted by time (few are pending at once).
  const due: Array<{ t: number; to: string }> = [];
  let spent = 0n;
  for (const s of starts) {
    while (due.length > 0 && due[0]!.t <= s.t) {
      const a = due.shift()!;
      clock.set(epoch + a.t);
      await recordPumpingApproval(deps, serviceSid, { channel: 'sms', to: a.to, status: 'approved' });
    }
    clock.set(epoch + s.t);
    const t0 = process.hrtime.bigint();
    const refusal = await judgePumping(deps, serviceSid, s.to, s.country);
    spent += process.hrtime.bigint() - t0;
    const blocked = refusal !== null;
    if (refusal) row.reasons[refusal.reason] = (row.reasons[refusal.reason] ?? 0) + 1;
    if (s.kind === 'attack') {
      if (s.t >= (WARMUP_MIN + 1) * MIN) {
        row.attackAfterFirstMinute += 1;
        if (blocked) row.attackBlockedAfterFirstMinute += 1;
      }
    } else {
      row.legit += 1;
      if (blocked) row.legitBlocked += 1;
      if (s.kind === 'marketing') {
        row.marketing += 1;
        if (blocked) row.marketingBlocked += 1;
      }
      if (!blocked && s.approveAfter !== null) {
        const a = { t: s.t + s.approveAfter, to: s.to };
        const at = due.findIndex((d) => d.t > a.t);
        due.splice(at === -1 ? due.length : at, 0, a);
      }
    }
  }
  row.usPerStart = Number(spent / 1000n) / starts.length;
  return row;
}

export async function benchPumping(opts: { seed?: number; legitPerMinute?: number; attackPerMinute?: number } = {}): Promise<PumpingRow[]> {
  const seed = opts.seed ?? 13;
  const legitPerMinute = opts.legitPerMinute ?? 40;
  const attackPerMinute = Math.max(20, opts.attackPerMinute ?? 30);
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-pumping-'));
  const stores = await openStores({ sqlitePath: join(dir, 'pumping.db'), databaseUrl: null, poolSize: 1 } as Parameters<typeof openStores>[0]);
  const epoch = Date.UTC(2026, 0, 5, 9, 0, 0);
  const rows: PumpingRow[] = [];
  try {
    for (const attackPrefixes of [1, 2, 3]) {
      const starts = traffic(seed + attackPrefixes, legitPerMinute, attackPerMinute, attackPrefixes);
      for (const level of ['basic', 'standard', 'max'] as const) {
        const clock = new SimClock(new Date(epoch));
        const deps: PumpingDeps = { store: stores.pumping, clock, defaultLevel: level, highCost: DEFAULT_HIGH_COST };
        rows.push(await simulate(deps, clock, `VA${level}${attackPrefixes}`, starts, epoch, attackPrefixes));
      }
    }
  } finally {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(2)} %`);

export function printPumping(rows: PumpingRow[], log: (line: string) => void = console.log): void {
  log('\nSMS-pumping guard simulator (bench/pumping.ts): SQLite file, simulated clock, 100 minutes of traffic');
  log('level     prefixes  attack blocked after 1st min   legit blocked        marketing blocked   blocks by reason                                  us/start');
  for (const r of rows) {
    const reasons = Object.entries(r.reasons).map(([k, v]) => `${k}=${v}`).join(' ');
    log(
      `${r.level.padEnd(9)} ${String(r.attackPrefixes).padEnd(9)} ${`${r.attackBlockedAfterFirstMinute}/${r.attackAfterFirstMinute} (${pct(r.attackBlockedAfterFirstMinute, r.attackAfterFirstMinute)})`.padEnd(30)} ` +
        `${`${r.legitBlocked}/${r.legit} (${pct(r.legitBlocked, r.legit)})`.padEnd(20)} ${`${r.marketingBlocked}/${r.marketing}`.padEnd(19)} ${reasons.padEnd(49)} ${r.usPerStart.toFixed(0)}`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const num = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
  benchPumping({ seed: num('BENCH_PUMPING_SEED'), legitPerMinute: num('BENCH_PUMPING_RATE'), attackPerMinute: num('BENCH_PUMPING_ATTACK_RATE') })
    .then((rows) => printPumping(rows))
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
