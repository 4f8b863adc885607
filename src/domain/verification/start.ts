import { createHash } from 'node:crypto';
import { CodeKeyring } from '../code/keys.js';
import { TwilioError, notFound } from '../errors.js';
import { NO_PRICES, priceFor } from '../prices.js';
import { MissingParent, UniqueViolation, type VerificationTx } from '../ports.js';
import type { VerificationChannel, SendAttempt, Service, Verification } from '../types.js';
import type { CarrierInfo } from '../ports/lookup.js';
import type { VerificationDeps } from './deps.js';
import { lookupForStart } from './lookup.js';
import { isFailedStatus, SEND_FAILED_UNKNOWN, type SendRequest } from './sending.js';
import { prepareStart, resendCode, sendRequest, type StartInput } from './start-plan.js';
import { MAX_CHECK_ATTEMPTS, MAX_SEND_ATTEMPTS } from './state.js';
import { isLapsed, transition } from './transition.js';
import { publishStatus } from '../events/publish.js';
import { chooseTemplate, type ChosenTemplate } from '../templates/templates.js';
import { ADMITTED, admitStart, type Admission } from '../protection/admission.js';
import { PumpingRefusal, recordPumpingBlock } from '../protection/pumping-guard.js';
import { meterStart } from '../rate-limits/enforce.js';

export type { StartInput } from './start-plan.js';

export interface StartResult {
  verification: Verification;
  sends: SendAttempt[];
  snaUrl: string | null;
}

interface Planned {
  verification: Verification;
  attempt: SendAttempt;
  snaUrl: string | null;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Starts a verification, or sends again for a pending one with the same `To` (same VE sid, same
 * code, one more entry in send_code_attempts). The verification, its send attempt and the sending
 * itself commit together: the inbox is written in this transaction, any other provider gets a
 * send job that the dispatcher sends after the commit (docs/delivery.md). Nothing a provider does
 * can fail the start: its errors are retried and recorded on the attempt.
 */
export async function startVerification(deps: VerificationDeps, service: Service, input: StartInput): Promise<StartResult> {
  const { channel, to, country, locale } = prepareStart(service, input, (c) => (c === 'sna' ? deps.snaBaseUrl !== null : deps.sender.carries(c)));
  const template = await chooseTemplate(deps.templates, service.accountSid, {
    explicitSid: input.options.templateSid,
    defaultSid: service.config.defaultTemplateSid,
    channel,
    locale,
    substitutions: input.options.templateCustomSubstitutions,
  });
  // Judged now, raised in the transaction after the rate limits are counted (see plan).
  const admission = deps.protection
    ? await admitStart(deps.protection, service, { channel, to, country, riskCheck: input.options.riskCheck }, deps.clock.now().getTime())
    : ADMITTED;
  const refusal = admission.refusal;
  // After the checks that cost nothing (a lookup provider may charge per number), before the
  // transaction; not for a start that will be refused.
  const carrier = refusal ? null : await lookupForStart(deps.lookup, service, channel, to, country);

  const runPlan = () => deps.store.transaction((tx) => plan(deps, tx, service, { ...input, to }, { channel, locale, country, template, carrier, admission }));
  try {
    let planned: Planned;
    try {
      planned = await runPlan();
    } catch (err) {
      // Two first starts for one To raced on PostgreSQL; the loser now finds the winner's row.
      if (!(err instanceof UniqueViolation)) throw err;
      planned = await runPlan();
    }
    const { verification, attempt } = planned;
    // A first send is the only attempt; a resend lists them all (and notices a deletion meanwhile).
    const sends = verification.sendCount === 1 ? [attempt] : await deps.store.listSends(verification.sid);
    if (!sends.some((s) => s.sid === attempt.sid)) throw new MissingParent('verification deleted during start');
    return { verification, sends, snaUrl: planned.snaUrl };
  } catch (err) {
    // The service was deleted while this start ran, before or after its commit.
    if (err instanceof MissingParent) throw notFound(`/Services/${service.sid}/Verifications`);
    // Counted for the report only when the guard's refusal is the answer (not a 20429 before it).
    if (err === refusal && err instanceof PumpingRefusal && deps.protection?.pumping) await recordPumpingBlock(deps.protection.pumping, service.accountSid, service.sid, err);
    throw err;
  }
}

/**
 * Hands the code over within the start's transaction: written to the inbox now, or queued as a
 * job that names the verification's seed, or carries a custom code sealed under CODE_KEYS.
 */
async function dispatch(deps: VerificationDeps, tx: VerificationTx, request: SendRequest, v: Verification, attempt: SendAttempt): Promise<void> {
  if (deps.sender.sendsInline(request.channel)) {
    const outcome = await deps.sender.sendInline(request, tx);
    const failed = isFailedStatus(outcome.status);
    const errorCode = outcome.errorCode ?? (failed ? SEND_FAILED_UNKNOWN : null);
    await tx.updateSendStatus(attempt.sid, outcome.status, errorCode, attempt.dateCreated);
    Object.assign(attempt, { messageStatus: outcome.status, errorCode });
    return;
  }
  const { code, ...withoutCode } = request;
  await tx.insertSendJob({
    attemptSid: attempt.sid,
    verificationSid: v.sid,
    channel: request.channel,
    request: withoutCode,
    sealedCode: v.customCode ? deps.keys.seal(code, attempt.sid) : null,
    dateCreated: attempt.dateCreated,
  });
}

async function plan(
  deps: VerificationDeps,
  tx: VerificationTx,
  service: Service,
  input: StartInput,
  prepared: { channel: VerificationChannel; locale: string; country: string | null; template: ChosenTemplate | null; carrier: CarrierInfo | null; admission: Admission },
): Promise<Planned> {
  const { channel, locale, country, template, carrier, admission } = prepared;
  const now = deps.clock.now().getTime();
  // The start's refusals, in order (docs/protection.md): parameters (prepareStart, chooseTemplate,
  // before this transaction), Service Rate Limits, then the Safe List, geo permissions and the
  // pumping guard (judged before the transaction, raised here), then this verification's own
  // limits (60202, 60203) below. Bucket hits are counted first and taken back by the rollback of
  // any refusal; so is the guard's count of an accepted start where the transaction writes it
  // (last, below: SQLite); on PostgreSQL the guard's read counted it already (docs/protection.md).
  await meterStart(tx, service.sid, input.options.rateLimits, now, (value) => deps.keys.meteredValue(value));
  if (admission.refusal) throw admission.refusal;
  let v = await tx.lockPendingByTo(service.sid, input.to);
  if (v && isLapsed(v, now)) {
    await transition(tx, service, v, 'expired', 'start', now);
    v = undefined;
  }

  let code: string;
  if (!v) {
    // A destination that ran out of check attempts waits for that verification's validity to end:
    // otherwise every fresh start would buy another five guesses.
    const until = await tx.lockedOutUntil(service.sid, input.to, now);
    if (until !== undefined) {
      const retryAfter = String(Math.max(1, Math.ceil((until - now) / 1000)));
      throw new TwilioError(60202, `Max (${MAX_CHECK_ATTEMPTS}) verification check attempts reached.`, { headers: { 'Retry-After': retryAfter } });
    }
  }
  if (v) {
    if (v.sendCount >= MAX_SEND_ATTEMPTS) throw new TwilioError(60203);
    code = resendCode(deps.keys, v, input.customCode);
    // A resend's options are the ones in force now (e.g. EnableSnaClientToken for an sna resend).
    v.options = input.options;
    v.channel = channel;
    v.sendCount += 1;
    v.locale = locale;
    // Each start looks the number up again, as Twilio does; a fetch answers the latest.
    v.lookup = carrier;
    v.dateUpdated = now;
    await tx.updateVerification(v);
  } else {
    const sid = deps.ids('VE');
    const keyId = deps.keys.current.id;
    const seed = input.customCode === null ? CodeKeyring.newSeed() : null;
    const length = input.customCode?.length ?? service.config.codeLength;
    code = input.customCode ?? deps.keys.deriveCode(keyId, seed as string, length)!;
    v = {
      sid,
      accountSid: service.accountSid,
      serviceSid: service.sid,
      to: input.to,
      channel,
      status: 'pending',
      codeLength: length,
      codeKeyId: keyId,
      codeSeed: seed,
      codeHash: deps.keys.hash(keyId, sid, code)!,
      customCode: input.customCode !== null,
      amount: service.config.psd2Enabled ? input.amount : null,
      payee: service.config.psd2Enabled ? input.payee : null,
      locale,
      country,
      checkCount: 0,
      sendCount: 1,
      options: input.options,
      lookup: carrier,
      expiresAt: now + deps.ttlMs,
      dateCreated: now,
      dateUpdated: now,
    };
    await tx.insertVerification(v);
    await tx.insertStatusChange({
      verificationSid: sid,
      accountSid: v.accountSid,
      serviceSid: v.serviceSid,
      fromStatus: null,
      toStatus: 'pending',
      cause: 'start',
      dateCreated: now,
    });
  }

  const attempt: SendAttempt = {
    sid: deps.ids('VL'),
    verificationSid: v.sid,
    accountSid: v.accountSid,
    serviceSid: v.serviceSid,
    channel,
    to: v.to,
    locale,
    country,
    codeLength: v.codeLength,
    messageStatus: 'queued',
    errorCode: null,
    dateCreated: now,
    dateUpdated: now,
    converted: false,
    attemptStatus: 'unconfirmed',
    price: priceFor(deps.prices ?? NO_PRICES, channel, country),
    // Known from the start's lookup; unknown (null) without one.
    mcc: carrier?.mobileCountryCode ?? null,
    mnc: carrier?.mobileNetworkCode ?? null,
    carrier: carrier?.name ?? null,
    provider: null,
    tries: [],
  };
  await tx.insertSend(attempt);
  // Every accepted start, a resend included, reports the verification as pending with its sends so far.
  await publishStatus(tx, service, v, now, v.sendCount === 1 ? { sends: [attempt], checks: [] } : undefined);

  let snaUrl: string | null = null;
  if (channel === 'sna') {
    const token = deps.keys.snaToken(v.codeKeyId, attempt.sid)!;
    // prepareStart refused sna when there is no SNA provider (snaBaseUrl null).
    await tx.insertSnaSession({
      tokenHash: sha256(token),
      verificationSid: v.sid,
      attemptSid: attempt.sid,
      expiresAt: now + deps.ttlMs,
      usedAt: null,
      clientTokenHash: null,
    });
    snaUrl = `${deps.snaBaseUrl}/sna/${token}`;
  } else {
    await dispatch(deps, tx, sendRequest(service, { verification: v, attempt, channel, code }, input.options, deps.ttlMs, template), v, attempt);
  }
  // Last, so that on PostgreSQL the prefix's counter row, which every start to the prefix in this
  // minute updates, stays locked for no more than the commit.
  if (admission.pumpingCount) await tx.countPumpingStart(service.sid, admission.pumpingCount, now);
  return { verification: v, attempt, snaUrl };
}

export const snaTokenHash = sha256;

/** The SNA URL of the latest sna send, or null when the latest send was on another channel. */
export function currentSnaUrl(deps: Pick<VerificationDeps, 'keys' | 'snaBaseUrl'>, v: Verification, sends: SendAttempt[]): string | null {
  const last = sends[sends.length - 1];
  if (v.channel !== 'sna' || last?.channel !== 'sna' || deps.snaBaseUrl === null) return null;
  const token = deps.keys.snaToken(v.codeKeyId, last.sid);
  return token === undefined ? null : `${deps.snaBaseUrl}/sna/${token}`;
}
