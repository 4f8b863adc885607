import { newSid } from '../ids.js';
import type { VerificationTx } from '../ports.js';
import type { CheckRecord, SendAttempt, Service, Verification } from '../types.js';
import { STATUS_EVENT_TYPES } from './catalog.js';
import { statusEvent } from './cloudevent.js';

/**
 * Writes the verification's current status as an event into the outbox, in the caller's
 * transaction: it commits or rolls back with the change it reports. Nothing is written for
 * services without verify_event_subscription_enabled or when no sink of the account subscribes
 * to the type, so verifications without event streams pay one service flag check.
 */
export async function publishStatus(
  tx: VerificationTx,
  service: Service,
  v: Verification,
  at: number,
  /** The sends and checks when the caller already holds them all (a first start): saves two reads. */
  known?: { sends: SendAttempt[]; checks: CheckRecord[] },
): Promise<void> {
  if (!service.config.verifyEventSubscriptionEnabled) return;
  const type = STATUS_EVENT_TYPES[v.status];
  const sinks = await tx.subscribedSinks(v.accountSid, type);
  if (sinks.length === 0) return;
  const sends = known?.sends ?? (await tx.listSends(v.sid));
  const checks = known?.checks ?? (await tx.listChecks(v.sid));
  const id = newSid('NO');
  const payload = statusEvent({ id, service, verification: v, sends, checks, at });
  await tx.insertEvent({ id, accountSid: v.accountSid, type, partitionKey: v.sid, payload, testId: null, dateCreated: at }, sinks);
}
