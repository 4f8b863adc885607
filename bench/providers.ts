/**
 * The real providers under load: verifyd as `npm start` runs it (dist/main.js), several ways, each in
 * a fresh process and database: (a) no VERIFYD_CONFIG, every code to the inbox; (b) a VERIFYD_CONFIG
 * file routing sms to a `twilio` provider at the Twilio REST stand-in (test/support/twilio-rest.ts)
 * running in this process; (c) one routing email to an `smtp` provider at a real smtp-server in this
 * process (test/support/smtp.ts: STARTTLS with a self-signed certificate made for the run, AUTH
 * PLAIN, each message parsed by mailparser before its arrival is noted); (d) sms to an `smpp` provider
 * (two binds) at a local SMSC (test/support/smsc.ts, the `smpp` package's server side) in this
 * process, an arrival noted when the SMSC accepts the submit_sm. (e) one routing sms to an
 * `http` gateway provider at the receiving server of test/support/gateway.ts in this process (each
 * request's HMAC signature verified and its JSON body read before its arrival is noted); twilio+d is
 * (b) with the sends in a dispatcher process of their own. Each run: a warm-up, then
 * BENCH_PROVIDERS_STARTS (default 2000) starts at BENCH_PROVIDERS_CONCURRENCY (default 20)
 * (sends.ts); reported: server CPU per start, sends per second reaching the provider, commit-to-
 * provider p50/p99, missing/duplicates, and (b), (c) and (d)'s CPU per start over (a)'s. The stand-ins
 * share the cores with verifyd, so CPU per start is the figure to compare, not throughput.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Smsc } from '../test/support/smsc.js';
import { GatewayReceiver } from '../test/support/gateway.js';
import { startSmtpServer } from '../test/support/smtp.js';
import { TwilioRestStandIn } from '../test/support/twilio-rest.js';
import { Api } from './api.js';
import { ROOT, runTs, spawnTs, stop, VERIFYD_MAIN, waitHealthy, type Proc } from './procs.js';
import { runStarts, type SendFigures, type StartPlan } from './sends.js';
import { storeEnv, type ScenarioOpts } from './store-env.js';

/** `twilio+d`: the same Twilio provider with the sends in a dispatcher process of their own (`npm run dispatcher`). */
export type ProviderKind = 'inbox' | 'twilio' | 'smtp' | 'smpp' | 'http' | 'twilio+d';
export const PROVIDER_KINDS: ProviderKind[] = ['inbox', 'twilio', 'smtp', 'smpp', 'http', 'twilio+d'];
const VERIFYD_DISPATCHER = join(dirname(VERIFYD_MAIN), 'dispatcher-main.js');

export interface ProvidersRow extends SendFigures {
  store: string;
  provider: ProviderKind;
}

/** The CPU one provider request costs a bare Node client (bench/client-floor.ts): the floor under a queued send. */
export interface ClientFloor {
  usPerRequest: number;
}

export async function measureClientFloor(requests: number, concurrency: number, addCleanup: ScenarioOpts['addCleanup']): Promise<ClientFloor> {
  const account = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
  const twilio = await TwilioRestStandIn.start({ [account.sid]: account.token });
  addCleanup(() => twilio.close());
  const out = await runTs(join(ROOT, 'bench', 'client-floor.ts'), JSON.stringify({ url: twilio.url, accountSid: account.sid, authToken: account.token, requests, concurrency }), 120_000);
  await twilio.close();
  return JSON.parse(out) as ClientFloor;
}

interface Setup {
  /** The VERIFYD_CONFIG file's content; none for the inbox. */
  config?: unknown;
  channel: StartPlan['channel'];
  arrived: Map<string, number[]> | null;
}

const note = (arrived: Map<string, number[]>, key: string) => arrived.set(key, [...(arrived.get(key) ?? []), performance.now()]);

/** Starts the kind's stand-in (closed by a cleanup) and says how verifyd is configured to reach it. */
async function provide(kind: ProviderKind, addCleanup: ScenarioOpts['addCleanup']): Promise<Setup> {
  if (kind === 'inbox') return { channel: 'sms', arrived: null };
  const arrived = new Map<string, number[]>();
  if (kind === 'twilio' || kind === 'twilio+d') {
    const account = { sid: `AC${randomBytes(16).toString('hex')}`, token: randomBytes(16).toString('hex') };
    const twilio = await TwilioRestStandIn.start({ [account.sid]: account.token });
    addCleanup(() => twilio.close());
    twilio.onCreated((c) => note(arrived, String(c.form.To)));
    const provider = { name: 'twilio', type: 'twilio', account_sid: account.sid, auth_token: account.token, api_base_url: twilio.url, sms_from: '+15005550006' };
    return { config: { providers: [provider], routes: { sms: ['twilio'] } }, channel: 'sms', arrived };
  }
  if (kind === 'smpp') {
    const account = { systemId: 'verifyd', password: randomBytes(4).toString('hex') };
    const smsc = await Smsc.start(account);
    addCleanup(() => smsc.close());
    smsc.onAccepted((s) => note(arrived, `+${String(s.pdu.destination_addr)}`));
    // Two binds, a window of 10 each and a rate well above what the machine reaches: the figure is verifyd's cost, not a configured limit.
    const provider = { name: 'smsc', type: 'smpp', url: smsc.url, system_id: account.systemId, password: account.password, source_addr: 'Acme', binds: 2, window: 10, max_per_second: 10_000 };
    return { config: { providers: [provider], routes: { sms: ['smsc'] } }, channel: 'sms', arrived };
  }
  if (kind === 'http') {
    const secret = randomBytes(24).toString('hex');
    const gateway = await GatewayReceiver.start(secret);
    addCleanup(() => gateway.close());
    gateway.onReceived((m) => note(arrived, m.body.to));
    const provider = { name: 'gateway', type: 'http', url: gateway.url, secret };
    return { config: { providers: [provider], routes: { sms: ['gateway'] } }, channel: 'sms', arrived };
  }
  const smtp = await startSmtpServer();
  addCleanup(() => smtp.close());
  void (async () => {
    for (;;) note(arrived, (await smtp.next()).envelopeTo[0]!);
  })();
  const provider = { name: 'mail', type: 'smtp', url: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}`, from: 'no-reply@example.com', tls: { ca_file: smtp.caFile } };
  return { config: { providers: [provider], routes: { email: ['mail'] } }, channel: 'email', arrived };
}

export async function benchProviders(
  store: string,
  tmp: string,
  opts: ScenarioOpts & { starts: number; concurrency: number; kinds?: readonly ProviderKind[]; profileDir?: string },
): Promise<ProvidersRow[] | { skip: string }> {
  const rows: ProvidersRow[] = [];
  for (const kind of opts.kinds ?? PROVIDER_KINDS) {
    const setup = await provide(kind, opts.addCleanup);
    const extra: Record<string, string> = {};
    if (setup.config) {
      extra.VERIFYD_CONFIG = join(tmp, `providers-${store}-${kind}.json`);
      writeFileSync(extra.VERIFYD_CONFIG, JSON.stringify(setup.config));
    }
    const split = kind === 'twilio+d';
    // Split: the API node sends nothing; the dispatcher process polls the queue (SQLite has no cross-process wake-up).
    if (split) Object.assign(extra, { SEND_DISPATCHER: 'off', EVENTS_DISPATCHER: 'off' });
    const where = await storeEnv(store, tmp, `providers-${kind}`, opts, extra);
    if ('skip' in where) return where;
    const { env, baseUrl } = where;
    const profile = (name: string) => (opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.profileDir, 'providers', store, name)}`] : []);
    const proc = spawnTs(VERIFYD_MAIN, [], env, profile(kind));
    let dispatcher: Proc | undefined;
    const api = new Api(baseUrl, env.TWILIO_ACCOUNT_SID!, env.TWILIO_AUTH_TOKEN!, opts.concurrency);
    try {
      await waitHealthy(proc, baseUrl);
      if (split) dispatcher = spawnTs(VERIFYD_DISPATCHER, [], { ...env, SEND_DISPATCHER: 'on', EVENTS_DISPATCHER: 'on', EVENTS_POLL_MS: '100' }, profile('dispatcher'));
      const svc = await api.createService(`Providers ${kind.replace('+d', ' split')}`);
      const warmup = Math.min(200, Math.floor(opts.starts / 10));
      const figures = await runStarts(api, svc, { starts: opts.starts, warmup, concurrency: opts.concurrency, channel: setup.channel, serverPid: proc.pid, dispatcherPid: dispatcher?.pid, arrived: setup.arrived, keyBy: 'to' });
      rows.push({ store, provider: kind, ...figures });
      opts.log(`providers ${store} ${kind}: ${figures.cpuUsPerStart?.toFixed(0) ?? 'n/a'} us server CPU per start, ${figures.sendsPerSecond.toFixed(0)} sends/s, to the provider p50 ${figures.providerP50.toFixed(1)} ms p99 ${figures.providerP99.toFixed(1)} ms; missing ${figures.missing}, sent twice ${figures.duplicates}`);
    } catch (err) {
      throw new Error(`${kind}: ${(err as Error).message}\n--- verifyd ${store} ${kind} output (tail) ---\n${proc.output()}${dispatcher ? `\n--- dispatcher ---\n${dispatcher.output()}` : ''}`);
    } finally {
      api.close();
      if (dispatcher) await stop(dispatcher);
      await stop(proc);
    }
  }
  return rows;
}

// From the issue: with a real provider, server CPU per start within 10 % of the inbox's.
const LIMIT = 1.1;

export function printProviders(rows: ProvidersRow[], notes: string[], concurrency: number, floor: ClientFloor | null): void {
  console.log(`\nProviders (${rows[0]?.starts ?? 0} starts per run, ${concurrency} at a time, after a warm-up; dist/main.js; times from the start's request, ms)`);
  console.log('store     provider  srv us/start  vs inbox  disp us/start  sends/s  provider p50  provider p99  answer p99  missing  twice');
  for (const r of rows) {
    const inbox = rows.find((x) => x.store === r.store && x.provider === 'inbox')?.cpuUsPerStart;
    const ratio = r.cpuUsPerStart != null && inbox ? r.cpuUsPerStart / inbox : null;
    const flag = ratio !== null && ratio > LIMIT ? ' >1.10' : '';
    console.log(
      `${r.store.padEnd(9)} ${r.provider.padEnd(8)}  ${(r.cpuUsPerStart?.toFixed(0) ?? 'n/a').padStart(12)}  ${((ratio?.toFixed(2) ?? 'n/a') + flag).padStart(8)}  ${(r.dispatcherUsPerStart?.toFixed(0) ?? '-').padStart(13)}  ${r.sendsPerSecond.toFixed(0).padStart(7)}  ${r.providerP50.toFixed(1).padStart(12)}  ${r.providerP99.toFixed(1).padStart(12)}  ${r.answerP99.toFixed(1).padStart(10)}  ${String(r.missing).padStart(7)}  ${String(r.duplicates).padStart(5)}`,
    );
  }
  console.log('inbox: the message is written in the start\'s own transaction, so its arrival is the answer. srv us/start: the');
  console.log(`verifyd process's CPU from the first measured start until every message reached the provider; limit ${LIMIT.toFixed(2)} x inbox.`);
  console.log('twilio+d: the API node with SEND_DISPATCHER=off and `npm run dispatcher` beside it (polling every 100 ms);');
  console.log('disp us/start is that dispatcher process\'s CPU.');
  if (floor) {
    const inboxes = rows.filter((r) => r.provider === 'inbox' && r.cpuUsPerStart != null);
    const against = inboxes.map((r) => `${(floor.usPerRequest / r.cpuUsPerStart!).toFixed(2)} x the ${r.store} inbox start`).join(', ');
    console.log(`client floor: a bare Node process (undici, keep-alive) spends ${floor.usPerRequest.toFixed(0)} us of CPU per Messages.json request to the same stand-in${against ? ` (${against})` : ''}.`);
  }
  for (const n of notes) console.log(`  ${n}`);
}
