/**
 * Starts sent to a running verifyd at a fixed concurrency, and where their messages went: the
 * driver the queued and providers scenarios share. A warm-up round (its messages awaited) comes
 * first; then the measured starts, with the server's CPU read from /proc before them and after
 * every message reached the provider (plus a pause in which a duplicate or the outcome's write lands).
 */
import { availableParallelism } from 'node:os';
import type { Api } from './api.js';
import { share, snapshot } from './cpu.js';

export interface SendFigures {
  starts: number;
  answerP50: number;
  answerP99: number;
  /** From the start's request until the provider had the message. */
  providerP50: number;
  providerP99: number;
  /** Measured starts over the time from the first one's request to the last message's arrival. */
  sendsPerSecond: number;
  /** Server CPU (user + system, /proc ticks) per measured start, including the sends; null without /proc. */
  cpuUsPerStart: number | null;
  /** The separate dispatcher process's CPU per measured start, when the sends run there; else null. */
  dispatcherUsPerStart: number | null;
  /** Starts whose message did not reach the provider exactly once. */
  missing: number;
  duplicates: number;
}

export interface StartPlan {
  starts: number;
  warmup: number;
  concurrency: number;
  channel: 'sms' | 'email';
  serverPid: number;
  /** A dispatcher process of its own (`npm run dispatcher`), whose CPU is reported apart. */
  dispatcherPid?: number;
  /**
   * Arrival times per key, filled by the provider stand-in as messages come in; null when the
   * start's own transaction delivers (the inbox), so the answer is the arrival.
   */
  arrived: Map<string, number[]> | null;
  /** The key a start's message arrives under: its attempt SID or its destination. */
  keyBy: 'attempt' | 'to';
  /**
   * Starts sent on a schedule, this many a second (at most `concurrency` waiting at once), instead
   * of each as soon as the last answered: a latency measured below saturation, not a queue's length.
   */
  ratePerSecond?: number;
  /** The i-th start's destination and its group (figures are reported per group); default: a fresh +1201 number, one group. */
  destination?: (i: number) => { to: string; group: string };
}

export const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** A destination no other start of the run uses, so a message is matched to its start by address. */
const destination = (channel: StartPlan['channel'], i: number) => (channel === 'sms' ? `+1201${2_000_000 + i}` : `bench${i}@example.com`);

interface Sent {
  key: string;
  group: string;
  at: number;
  answered: number;
}

async function send(api: Api, svc: string, plan: StartPlan, from: number, count: number): Promise<Sent[]> {
  const out: Sent[] = [];
  let next = from;
  const t0 = performance.now();
  const worker = async () => {
    while (next < from + count) {
      const i = next++;
      const wait = plan.ratePerSecond ? t0 + ((i - from) * 1000) / plan.ratePerSecond - performance.now() : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const { to, group } = plan.destination?.(i) ?? { to: destination(plan.channel, i), group: '' };
      const at = performance.now();
      const v = await api.json<{ send_code_attempts: Array<{ attempt_sid: string }> }>('POST', `/v2/Services/${svc}/Verifications`, `To=${encodeURIComponent(to)}&Channel=${plan.channel}`, 201);
      const answered = performance.now();
      out.push({ key: plan.keyBy === 'to' ? to : v.send_code_attempts.at(-1)!.attempt_sid, group, at, answered });
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  return out;
}

async function awaitArrivals(sent: Sent[], arrived: Map<string, number[]> | null): Promise<void> {
  if (arrived) for (const deadline = Date.now() + 60_000; sent.some((s) => !arrived.has(s.key)) && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
  // Room for a duplicate to show up and for the dispatcher to record the last outcomes.
  await new Promise((r) => setTimeout(r, 500));
}

export async function runStarts(api: Api, svc: string, plan: StartPlan): Promise<SendFigures> {
  return (await runStartsByGroup(api, svc, plan)).get('')!;
}

/** As runStarts, with the figures of each group of `plan.destination` (CPU per start: of all the starts). */
export async function runStartsByGroup(api: Api, svc: string, plan: StartPlan): Promise<Map<string, SendFigures>> {
  // Warm-up (JIT, connections, the provider's pool): not counted.
  await awaitArrivals(await send(api, svc, plan, 0, plan.warmup), plan.arrived);
  const before = snapshot(plan.serverPid);
  const dispatcherBefore = snapshot(plan.dispatcherPid);
  const sent = await send(api, svc, plan, plan.warmup, plan.starts);
  await awaitArrivals(sent, plan.arrived);
  const after = snapshot(plan.serverPid);
  const dispatcherAfter = snapshot(plan.dispatcherPid);
  const cores = share(before, after, availableParallelism()).server;
  const dispatcherCores = plan.dispatcherPid === undefined ? null : share(dispatcherBefore, dispatcherAfter, availableParallelism()).server;
  const seconds = Number(after.at - before.at) / 1e9;
  const perStart = (c: number | null) => (c === null ? null : (c * seconds * 1e6) / sent.length);

  const arrivals = (s: Sent) => (plan.arrived ? (plan.arrived.get(s.key) ?? []) : [s.answered]);
  const groups = new Map<string, SendFigures>();
  for (const group of new Set(sent.map((s) => s.group))) groups.set(group, figuresOf(sent.filter((s) => s.group === group), arrivals, perStart(cores), perStart(dispatcherCores)));
  return groups;
}

function figuresOf(sent: Sent[], arrivals: (s: Sent) => number[], cpuUsPerStart: number | null, dispatcherUsPerStart: number | null): SendFigures {
  const first = Math.min(...sent.map((s) => s.at));
  const reached = sent.filter((s) => arrivals(s).length > 0);
  const last = Math.max(...reached.map((s) => arrivals(s)[0]!));
  return {
    starts: sent.length,
    answerP50: pct(sent.map((s) => s.answered - s.at), 50),
    answerP99: pct(sent.map((s) => s.answered - s.at), 99),
    providerP50: pct(reached.map((s) => arrivals(s)[0]! - s.at), 50),
    providerP99: pct(reached.map((s) => arrivals(s)[0]! - s.at), 99),
    sendsPerSecond: reached.length / ((last - first) / 1000),
    cpuUsPerStart,
    dispatcherUsPerStart,
    missing: sent.length - reached.length,
    duplicates: sent.filter((s) => arrivals(s).length > 1).length,
  };
}
