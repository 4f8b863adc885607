import { TwilioError, verifyInvalidParam, notFound } from '../errors.js';
import { isSid } from '../ids.js';
import { normalizeTarget } from '../address.js';
import type { VerificationTx } from '../ports.js';
import type { Service, Verification } from '../types.js';
import type { VerificationDeps } from './deps.js';
import { snaTokenHash } from './start.js';
import { MAX_CHECK_ATTEMPTS } from './state.js';
import { countApproval, isLapsed, transition } from './transition.js';

export interface CheckInput {
  code: string | null;
  to: string | null;
  verificationSid: string | null;
  amount: string | null;
  payee: string | null;
  snaClientToken: string | null;
}

export interface SnaAttemptError {
  attemptSid: string;
  code: number;
}

export interface CheckResult {
  verification: Verification;
  /** null when the latest channel was not sna. */
  snaErrors: SnaAttemptError[] | null;
}

type Outcome =
  | { kind: 'checked'; result: CheckResult }
  | { kind: 'not_found' }
  | { kind: 'max_attempts' };

const SNA_RESULT_PENDING = 60519;
const SNA_ERROR = 60510;

/**
 * Checks a code. Contract under concurrency: each check locks the verification row for its whole
 * transaction, so at most MAX_CHECK_ATTEMPTS checks are ever counted, and of any number of
 * simultaneous right codes exactly one approves (the rest find it no longer pending: 404).
 * A wrong code is an answer (status pending, valid false), not an error.
 */
export async function checkVerification(deps: VerificationDeps, service: Service, input: CheckInput): Promise<CheckResult> {
  if (input.to === null && input.verificationSid === null) throw new TwilioError(60221);
  if (input.verificationSid !== null && !isSid(input.verificationSid, 'VE')) throw verifyInvalidParam('VerificationSid');
  if (input.code !== null && (input.code.length < 4 || input.code.length > 10)) throw verifyInvalidParam('Code');

  const target = { ...input, to: input.to === null ? null : normalizeTarget(input.to) };
  const outcome = await deps.store.transaction((tx) => evaluate(deps, tx, service, target));
  // Errors are raised after the commit so that expiry and max-attempts transitions are kept.
  if (outcome.kind === 'not_found') throw notFound(`/Services/${service.sid}/VerificationCheck`);
  if (outcome.kind === 'max_attempts') throw new TwilioError(60202, `Max (${MAX_CHECK_ATTEMPTS}) verification check attempts reached.`);
  await countApproval(deps, service, outcome.result.verification);
  return outcome.result;
}

async function evaluate(deps: VerificationDeps, tx: VerificationTx, service: Service, input: CheckInput): Promise<Outcome> {
  const now = deps.clock.now().getTime();
  const v = input.verificationSid !== null
    ? await tx.lockBySid(service.sid, input.verificationSid)
    : await tx.lockPendingByTo(service.sid, input.to as string);
  if (!v || v.status !== 'pending') return { kind: 'not_found' };
  // A To given alongside a VerificationSid must name the same destination.
  if (input.verificationSid !== null && input.to !== null && input.to !== v.to) return { kind: 'not_found' };
  if (isLapsed(v, now)) {
    await transition(tx, service, v, 'expired', 'check', now);
    return { kind: 'not_found' };
  }
  if (v.checkCount >= MAX_CHECK_ATTEMPTS) {
    await transition(tx, service, v, 'max_attempts_reached', 'check', now);
    return { kind: 'max_attempts' };
  }

  let ok: boolean;
  let snaErrors: SnaAttemptError[] | null = null;
  if (v.channel === 'sna' && input.code === null) {
    const session = await tx.latestSnaSession(v.sid);
    const tokenOk = !v.options.enableSnaClientToken
      || (input.snaClientToken !== null && session?.clientTokenHash != null && snaTokenHash(input.snaClientToken) === session.clientTokenHash);
    ok = session?.usedAt != null && tokenOk;
    snaErrors = ok || !session ? [] : [{ attemptSid: session.attemptSid, code: session.usedAt == null ? SNA_RESULT_PENDING : SNA_ERROR }];
  } else {
    if (input.code === null) throw verifyInvalidParam('Code');
    const codeOk = v.codeHash !== null && deps.keys.matches(v.codeKeyId, v.sid, input.code, v.codeHash);
    // PSD2 dynamic linking: the code authorises only the amount and payee it was sent for.
    const linkOk = v.amount === null || (input.amount === v.amount && input.payee === v.payee);
    ok = codeOk && linkOk;
    if (v.channel === 'sna') snaErrors = [];
  }

  v.checkCount += 1;
  v.dateUpdated = now;
  await tx.insertCheck({ verificationSid: v.sid, result: ok ? 'SUCCESS' : 'FAILURE', dateCreated: now });
  if (ok) await transition(tx, service, v, 'approved', 'check', now);
  else await tx.updateVerification(v);
  return { kind: 'checked', result: { verification: v, snaErrors } };
}
