import { arrived } from '../domain/attempts/receipts.js';
import type { Clock } from '../domain/clock.js';
import type { CodeKeyring } from '../domain/code/keys.js';
import type { AttemptUpdate, ClaimedSendJob, SendJobStore, SendSettlement } from '../domain/ports.js';
import { codeFor, nextTry, staleReason, type SendRetryPolicy } from '../domain/verification/send-job.js';
import type { SendTry } from '../domain/types.js';
import { isFailedStatus, SEND_FAILED_UNKNOWN, sendFailure, type CodeSender, type RouteStop, type SendFailure, type SendOutcome, type SendRequest } from '../domain/verification/sending.js';
import type { Log } from '../log.js';
import { ClaimLoop, LoopDriven, type ClaimLoopOptions } from './claim-loop.js';
import { GroupCommit } from './group-commit.js';

export interface SendDispatcherOptions extends ClaimLoopOptions {
  /** How long one provider request may take (cut shorter where the lease would end first). */
  timeoutMs: number;
  retry: SendRetryPolicy;
}

/**
 * Sends the send queue: claims due jobs with a lease (the ClaimLoop the event dispatcher uses),
 * hands each code to its provider, and records the outcome on the job and its attempt in one
 * transaction, shared with the outcomes that finished while the previous one was written. A provider that throws or times out is retried with backoff while the code is
 * valid, then the attempt says `failed`; a job whose verification no longer waits is dropped.
 * A provider request is made at most once per try; it is made again only when a process dies
 * between the provider's answer and its record, or a timeout hid an answer (docs/delivery.md).
 */
export class SendDispatcher extends LoopDriven<ClaimedSendJob, string> {
  protected readonly loop: ClaimLoop<ClaimedSendJob, string>;
  // Outcomes that finish while another is being written are written together (one transaction).
  private readonly settling = new GroupCommit<SendSettlement, boolean>((items) => this.store.settleSendJobs(items));

  constructor(
    private readonly store: SendJobStore,
    private readonly sender: CodeSender,
    private readonly keys: CodeKeyring,
    private readonly clock: Clock,
    private readonly log: Pick<Log, 'error' | 'warn'>,
    private readonly opts: SendDispatcherOptions,
  ) {
    super();
    const source = {
      claim: (now: number, until: number, limit: number) => store.claimSendJobs(now, until, limit),
      renewLeases: (held: ClaimedSendJob[], now: number, until: number) => store.renewSendLeases(held, now, until),
      watch: (onCommit: () => void) => store.watchSendJobs?.(onCommit) ?? Promise.resolve(undefined),
    };
    this.loop = new ClaimLoop(source, clock, log, opts, { one: 'code send', many: 'code sends' }, (jobs) => {
      for (const job of jobs) this.loop.track([job], this.run(job));
    });
  }

  private async run(job: ClaimedSendJob): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.loop.isStopped) return this.store.releaseSendJobs([job.id], job.claim, now);
    const stale = staleReason(job, now);
    // A job waiting for a receipt was sent: past its wait (or with nothing left to wait for) it ends as it is.
    if (job.awaiting !== null && (stale !== null || this.sender.receiptTimeoutMs === null)) {
      return this.settle({ job, state: 'sent', tried: false, nextAttemptAt: now, error: null, attempt: null, at: now });
    }
    const code = stale === null ? codeFor(this.keys, job) : undefined;
    if (stale !== null || code === undefined) return this.drop(job, stale ?? 'the code was replaced by a later send', now);
    const tries = [...job.tries];
    if (job.awaiting !== null) tries.push({ provider: job.awaiting, result: 'receipt_timeout', errorCode: null, at: now });
    return this.tryRoute(job, { ...job.request, code }, tries);
  }

  /**
   * One run through the job's route (docs/delivery.md, "Failover"): providers that refused this
   * job or failed it by receipt are left out; open circuits go last; a refusal or a provider
   * certainly not reached moves on at once; an error that may hide an accepted message stops the
   * run, to be retried with backoff. The first provider that takes the code ends the job, or keeps
   * it waiting for its receipt when a later provider could still take over.
   */
  private async tryRoute(job: ClaimedSendJob, request: SendRequest, tries: SendTry[]): Promise<void> {
    const health = this.sender.health;
    const ruledOut = new Set(tries.filter((t) => RULED_OUT.has(t.result)).map((t) => t.provider));
    const candidates = (await this.sender.route(job.request)).filter((s) => !ruledOut.has(s.provider));
    let refusal: { outcome: SendOutcome; stop: RouteStop } | undefined;
    let retryable: SendFailure | undefined;
    for (const stop of inRouteOrder(candidates, (name) => health.admit(name))) {
      const budget = this.loop.budget([job], this.clock.now().getTime());
      if (budget < Math.min(this.opts.timeoutMs, 1_000)) break;
      let outcome: SendOutcome | undefined;
      let error: unknown;
      try {
        outcome = await this.withTimeout(stop.provider, request, Math.min(this.opts.timeoutMs, budget), budget);
      } catch (err) {
        error = err;
      }
      const at = this.clock.now().getTime();
      if (outcome && !isFailedStatus(outcome.status)) {
        health.succeeded(stop.provider);
        tries.push({ provider: stop.provider, result: 'sent', errorCode: null, at });
        return this.sent(job, outcome, stop, tries, candidates, at);
      }
      // A refusal is an answer about this message, not about the provider's health.
      if (outcome) health.succeeded(stop.provider);
      else health.failed(stop.provider);
      if (outcome) {
        tries.push({ provider: stop.provider, result: 'refused', errorCode: outcome.errorCode ?? SEND_FAILED_UNKNOWN, at });
        refusal = { outcome, stop };
        continue;
      }
      retryable = sendFailure(request, error);
      const notReached = this.sender.notReached(error);
      this.log.error({ err: retryable.error, attemptSid: job.attemptSid, channel: job.channel, provider: stop.provider, notReached, tries: job.attempts + 1 }, 'sending a code failed');
      tries.push({ provider: stop.provider, result: notReached ? 'unreachable' : 'error', errorCode: null, at });
      // Not reached: the next provider now. Maybe taken: not another provider, lest two messages go out.
      if (!notReached) break;
    }
    const at = this.clock.now().getTime();
    const lastWords = refusal ? recorded(refusal.outcome, refusal.stop) : GAVE_UP;
    if (retryable === undefined && refusal === undefined && candidates.length > 0) {
      // The lease ran short before any try: give the job back untouched.
      return this.store.releaseSendJobs([job.id], job.claim, at);
    }
    const message = retryable ? `${retryable.error.type}: ${retryable.error.message}` : 'every provider of the route refused the code';
    const retry = retryable ? nextTry(job, job.attempts + 1, at, this.opts.retry) : null;
    if (retry !== null) return this.settle({ job, state: 'pending', tried: true, nextAttemptAt: retry, error: message, attempt: null, at, tries });
    return this.settle({ job, state: 'failed', tried: true, nextAttemptAt: at, error: message, attempt: lastWords, at, tries });
  }

  /**
   * A provider took the code. The job ends, unless the provider sends receipts and another provider
   * is left: then it waits (pending, `awaiting`) so that a failure receipt sends it on; with
   * on_receipt_timeout it is claimed again when the receipt is late, else at the code's expiry, to end.
   */
  private sent(job: ClaimedSendJob, outcome: SendOutcome, stop: RouteStop, tries: SendTry[], candidates: readonly RouteStop[], at: number): Promise<void> {
    const attempt = recorded(outcome, stop);
    const ruledOut = new Set(tries.filter((t) => RULED_OUT.has(t.result)).map((t) => t.provider));
    const left = candidates.some((c) => c.provider !== stop.provider && !ruledOut.has(c.provider));
    const waits = stop.sendsReceipts && !arrived(outcome.status) && left;
    if (!waits) return this.settle({ job, state: 'sent', tried: true, nextAttemptAt: at, error: null, attempt, at, tries });
    const timeout = this.sender.receiptTimeoutMs;
    const expiresAt = job.verification?.expiresAt ?? at;
    const nextAttemptAt = timeout === null ? expiresAt : Math.min(at + timeout, expiresAt);
    return this.settle({ job, state: 'pending', tried: true, nextAttemptAt, error: null, attempt, at, tries, awaiting: stop.provider });
  }

  /**
   * Ends a job without sending. Its attempt says `canceled`, or `failed` (30008) when earlier tries
   * failed and the code's validity ran out before one succeeded.
   */
  private drop(job: ClaimedSendJob, why: string, at: number): Promise<void> {
    const attempt: AttemptUpdate = job.attempts > 0 ? GAVE_UP : { status: 'canceled', errorCode: null, providerName: null, providerMessageId: null };
    return this.settle({ job, state: 'dropped', tried: false, nextAttemptAt: at, error: why, attempt, at });
  }

  private async settle(s: SendSettlement): Promise<void> {
    // A claim taken over after it lapsed records nothing: the new holder settles the job.
    const [settled] = await this.settling.add([s]);
    if (!settled) this.log.warn({ attemptSid: s.job.id }, 'a code send was settled by another dispatcher');
  }

  /**
   * The provider's answer. At `ms` its send is called off (the signal aborts): a provider that can
   * still stop it rejects then, and the job is retried. One that cannot (the message is already on
   * the wire, as with an SMTP transaction under way) keeps going, and its answer is waited for until
   * `hardMs`, the lease's end: an answer that comes is recorded, and the send is not made again.
   * Only past `hardMs` is the outcome unknown, and the retry may send it twice (docs/delivery.md).
   */
  private async withTimeout(provider: string, request: SendRequest, ms: number, hardMs: number): Promise<SendOutcome> {
    const abort = new AbortController();
    const timeout = new Error(`the provider did not answer within ${ms} ms`);
    timeout.name = 'TimeoutError';
    let timer: NodeJS.Timeout | undefined;
    let hardTimer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => abort.abort(timeout), ms);
      hardTimer = setTimeout(() => reject(timeout), Math.max(ms, hardMs));
    });
    try {
      return await Promise.race([this.sender.sendWith(provider, request, abort.signal), givenUp]);
    } finally {
      clearTimeout(timer);
      clearTimeout(hardTimer);
    }
  }
}

/** What the attempt records when no try succeeded: Twilio's "Unknown error". */
const GAVE_UP: AttemptUpdate = { status: 'failed', errorCode: SEND_FAILED_UNKNOWN, providerName: null, providerMessageId: null };

/** Tries after which a job never goes back to that provider: it refused, or reported the message failed or late. */
const RULED_OUT = new Set<SendTry['result']>(['refused', 'failure_receipt', 'receipt_timeout']);

/** The route in order, but providers whose circuit is open after all others (asked lazily: a half-open one's trial is taken only when tried). */
function* inRouteOrder(route: readonly RouteStop[], admit: (provider: string) => boolean): Generator<RouteStop> {
  const later: RouteStop[] = [];
  for (const stop of route) {
    if (admit(stop.provider)) yield stop;
    else later.push(stop);
  }
  yield* later;
}

/** What the attempt records of a provider's answer; a failure it reports without a code gets 30008. The price is that provider's, when it has one. */
function recorded(o: SendOutcome, stop: RouteStop): AttemptUpdate {
  const errorCode = o.errorCode ?? (isFailedStatus(o.status) ? SEND_FAILED_UNKNOWN : null);
  return { status: o.status, errorCode, providerName: o.providerName ?? stop.provider, providerMessageId: o.providerMessageId ?? null, price: stop.price };
}
