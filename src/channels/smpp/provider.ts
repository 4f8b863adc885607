import type smpp from 'smpp';
import type { Receipt } from '../../domain/attempts/receipts.js';
import type { CodeChannel, SendOutcome, SendRequest } from '../../domain/verification/sending.js';
import { ProviderNotReached, type Provider } from '../provider.js';
import type { Rendering } from '../render/index.js';
import { realTime, SmppBind, type SmppTime, type Submission } from './bind.js';
import { encodeMessage } from './encoding.js';
import { readReceipt, statusOfStat } from './receipt.js';
import { NPI, TON, type SmppSettings } from './settings.js';
import { ESME, hex, isTransient, refusalCode, SmppUnavailable } from './status.js';

/** esm_class message type bits (2-5) of a deliver_sm that is an SMSC delivery receipt. */
const ESM_TYPE_MASK = 0x3c;
const ESM_DELIVERY_RECEIPT = 0x04;
const ESM_UDHI = 0x40;
/** When a receipt comes before the send's answer is recorded (its message id unknown yet), it is tried again after these. */
const RECEIPT_RETRY_MS = [250, 1000, 4000];

/**
 * SMS over SMPP 3.4 (docs/delivery.md, "SMPP"): `binds` bind_transceiver sessions, each message
 * (or each part of a long one) submitted on the least loaded bind that has room in its window and
 * its share of `max_per_second`. Messages wait in one queue for a bind; those a lost connection
 * left unanswered go back to its front. The binds connect on the first send.
 */
export class SmppProvider implements Provider {
  readonly channels: readonly CodeChannel[] = ['sms'];
  readonly sendsReceipts: boolean;
  private readonly binds: SmppBind[];
  private readonly queue: Submission[] = [];
  private started = false;
  private closed = false;
  private reference = 0;
  private turn = 0;
  /** Cancels the pending pump (all binds were pacing). */
  private timer: (() => void) | null = null;

  constructor(
    readonly name: string,
    private readonly settings: SmppSettings,
    private readonly receipts: (r: Receipt) => Promise<boolean>,
    private readonly time: SmppTime = realTime,
  ) {
    // Final receipts come only when asked for (registered_delivery).
    this.sendsReceipts = settings.receipts;
    const hooks = { ready: () => this.pump(), lost: (subs: Submission[]) => this.requeue(subs), deliver: (pdu: smpp.PDU) => this.delivered(pdu) };
    this.binds = Array.from({ length: settings.binds }, () => new SmppBind(settings, hooks, time));
  }

  async send(request: SendRequest, rendering: Rendering, signal?: AbortSignal): Promise<SendOutcome> {
    const message = encodeMessage(rendering.body, this.reference++ & 0xff);
    const s = this.settings;
    const ids: string[] = [];
    for (const part of message.parts) {
      const params = {
        source_addr_ton: s.source.ton,
        source_addr_npi: s.source.npi,
        source_addr: s.source.addr,
        dest_addr_ton: TON.international,
        dest_addr_npi: NPI.isdn,
        destination_addr: request.to.replace(/^\+/, ''),
        esm_class: message.udh ? ESM_UDHI : 0,
        registered_delivery: s.receipts ? 1 : 0,
        data_coding: message.dataCoding,
        short_message: part,
      };
      const { status, messageId } = await this.submit(params, signal);
      if (status === ESME.ROK) {
        ids.push(messageId);
        continue;
      }
      if (isTransient(status)) throw new SmppUnavailable(`${this.name}: submit_sm refused for now (command_status ${hex(status)})`);
      // A permanent refusal of any part fails the message, even where earlier parts went out.
      return { status: 'failed', errorCode: refusalCode(status), providerMessageId: ids[0] ?? null };
    }
    // Accepted by the SMSC, Twilio's `sent` ("accepted by the nearest upstream carrier"). Receipts name the first part's id.
    return { status: 'sent', providerMessageId: ids[0] ?? null };
  }

  private submit(params: Record<string, unknown>, signal?: AbortSignal): Promise<{ status: number; messageId: string }> {
    if (this.closed) return Promise.reject(new SmppUnavailable(`${this.name}: closed`));
    if (!this.started) {
      this.started = true;
      for (const b of this.binds) b.start();
    }
    const unavailable = this.unavailable();
    if (unavailable) return Promise.reject(notTaken(unavailable));
    return new Promise((resolve, reject) => {
      const finish = () => {
        sub.done = true;
        signal?.removeEventListener('abort', onAbort);
        const i = this.queue.indexOf(sub);
        if (i >= 0) this.queue.splice(i, 1);
      };
      const sub: Submission = {
        params,
        done: false,
        answer: (status, messageId) => {
          if (sub.done) return;
          finish();
          resolve({ status, messageId });
        },
        fail: (err) => {
          if (sub.done) return;
          finish();
          // Never written to a connection (no bind, called off while queued): the SMSC has not seen it.
          reject(sub.written ? err : notTaken(err));
        },
      };
      const onAbort = () => sub.fail(signal?.reason ?? new SmppUnavailable(`${this.name}: aborted`));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(sub);
      this.pump();
    });
  }

  /** Why nothing can be submitted now: no bind is bound or connecting (every one failed and waits to retry). */
  private unavailable(): SmppUnavailable | null {
    if (this.binds.some((b) => b.state === 'bound' || b.state === 'connecting')) return null;
    return new SmppUnavailable(`${this.name}: no SMPP bind (${this.binds[0]!.lastError})`);
  }

  /** Hands queued messages to binds with room, least loaded first (ties in turn); waits for the first one's rate when all are pacing. */
  private pump(): void {
    this.timer?.();
    this.timer = null;
    while (this.queue.length > 0) {
      const now = this.time.now();
      let best: SmppBind | null = null;
      let wait = Infinity;
      for (let i = 0; i < this.binds.length; i++) {
        const b = this.binds[(this.turn + i) % this.binds.length]!;
        const inMs = b.readyIn(now);
        if (inMs === null) continue;
        if (inMs > 0) wait = Math.min(wait, inMs);
        else if (!best || b.load < best.load) best = b;
      }
      if (!best) {
        if (wait !== Infinity) this.timer = this.time.after(Math.ceil(wait), () => this.pump());
        return;
      }
      this.turn++;
      const sub = this.queue.shift()!;
      if (!sub.done) best.submit(sub, now);
    }
  }

  /** Messages a lost connection (or a throttling SMSC) left unanswered: first in line again, or failed when no bind can take them. */
  private requeue(subs: Submission[]): void {
    this.queue.unshift(...subs.filter((s) => !s.done));
    const unavailable = this.closed ? new SmppUnavailable(`${this.name}: closed`) : this.unavailable();
    if (unavailable) {
      for (const s of [...this.queue]) s.fail(unavailable);
      return;
    }
    this.pump();
  }

  /** A deliver_sm: a delivery receipt moves its attempt; anything else (a reply from a handset) is acknowledged and ignored. */
  private async delivered(pdu: smpp.PDU): Promise<number> {
    if ((Number(pdu.esm_class ?? 0) & ESM_TYPE_MASK) !== ESM_DELIVERY_RECEIPT) return ESME.ROK;
    const receipt = readReceipt(messageText(pdu.short_message ?? pdu.message_payload), { receipted_message_id: pdu.receipted_message_id, message_state: pdu.message_state });
    const status = receipt && statusOfStat(receipt.stat);
    if (!receipt || !status) return ESME.ROK;
    const r: Receipt = { providerName: this.name, providerMessageId: receipt.messageId, ...status };
    try {
      if (!(await this.receipts(r))) this.retryReceipt(r, 0);
      return ESME.ROK;
    } catch {
      // Not recorded (the database is away): a temporary error, so the SMSC delivers the receipt again.
      return ESME.RX_T_APPN;
    }
  }

  /** A receipt that named no known attempt may have overtaken the record of the send's answer: a few more tries, then it is dropped. */
  private retryReceipt(r: Receipt, i: number): void {
    const ms = RECEIPT_RETRY_MS[i];
    if (ms === undefined || this.closed) return;
    setTimeout(() => {
      this.receipts(r).then(
        (moved) => moved || this.retryReceipt(r, i + 1),
        () => this.retryReceipt(r, i + 1),
      );
    }, ms).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timer?.();
    await Promise.all(this.binds.map((b) => b.close()));
    this.requeue([]);
  }
}

/** The text of a receipt's short_message as the smpp package decodes it ({message}), or raw octets. */
function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (value && typeof value === 'object' && 'message' in value) return messageText((value as { message: unknown }).message);
  return '';
}

/** A message no SMSC was given: failover moves on at once (src/channels/provider.ts). */
const notTaken = (err: unknown): ProviderNotReached => new ProviderNotReached(`no SMPP bind took the message: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
