import type { Clock } from '../domain/clock.js';
import type { CodeKeyring } from '../domain/code/keys.js';
import type { AttemptUpdate, ClaimedSendJob, SendJobStore, SendSettlement } from '../domain/ports.js';
import { codeFor, nextTry, staleReason, type SendRetryPolicy } from '../domain/verification/send-job.js';
import { SEND_FAILED_UNKNOWN, sendFailure, type CodeSender, type SendOutcome, type SendRequest } from '../domain/verification/sending.js';
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
    const code = stale === null ? codeFor(this.keys, job) : undefined;
    if (stale !== null || code === undefined) return this.drop(job, stale ?? 'the code was replaced by a later send', now);

    const budget = this.loop.budget([job], now);
    if (budget < Math.min(this.opts.timeoutMs, 1_000)) return this.store.releaseSendJobs([job.id], job.claim, now);
    const request: SendRequest = { ...job.request, code };
    let outcome: SendOutcome | undefined;
    let error: unknown;
    try {
      outcome = await this.withTimeout(request, Math.min(this.opts.timeoutMs, budget), budget);
    } catch (err) {
      error = err;
    }
    const at = this.clock.now().getTime();
    if (outcome) return this.settle({ job, state: 'sent', tried: true, nextAttemptAt: at, error: null, attempt: recorded(outcome), at });

    const failure = sendFailure(request, error);
    this.log.error({ err: failure.error, attemptSid: job.attemptSid, channel: job.channel, tries: job.attempts + 1 }, 'sending a code failed');
    const retry = nextTry(job, job.attempts + 1, at, this.opts.retry);
    const message = `${failure.error.type}: ${failure.error.message}`;
    if (retry !== null) return this.settle({ job, state: 'pending', tried: true, nextAttemptAt: retry, error: message, attempt: null, at });
    return this.settle({ job, state: 'failed', tried: true, nextAttemptAt: at, error: message, attempt: GAVE_UP, at });
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
  private async withTimeout(request: SendRequest, ms: number, hardMs: number): Promise<SendOutcome> {
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
      return await Promise.race([this.sender.send(request, abort.signal), givenUp]);
    } finally {
      clearTimeout(timer);
      clearTimeout(hardTimer);
    }
  }
}

/** What the attempt records when no try succeeded: Twilio's "Unknown error". */
const GAVE_UP: AttemptUpdate = { status: 'failed', errorCode: SEND_FAILED_UNKNOWN, providerName: null, providerMessageId: null };

/** What the attempt records of a provider's answer; a failure it reports without a code gets 30008. */
function recorded(o: SendOutcome): AttemptUpdate {
  const failed = o.status === 'failed' || o.status === 'undelivered';
  return { status: o.status, errorCode: o.errorCode ?? (failed ? SEND_FAILED_UNKNOWN : null), providerName: o.providerName ?? null, providerMessageId: o.providerMessageId ?? null };
}
