/**
 * A local SMSC for tests and the bench, on the `smpp` package's server side (SMPP 3.4): it accepts
 * bind_transceiver only with the right system_id and password (ESME_RBINDFAIL otherwise), answers
 * submit_sm with a message id, enquire_link and unbind as an SMSC does, and sends deliver_sm
 * delivery receipts when a test asks. A message counts as accepted when the SMSC answered it with
 * command_status 0, as a real SMSC takes responsibility for a message with its submit_sm_resp.
 * Tests can hold answers (to fill a window), drop connections, throttle (ESME_RTHROTTLED), refuse
 * every bind, and stop answering enquire_link (a link that went dead without closing).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';

/** An enquire_link the SMSC received, and whether it answered it. */
export interface EnquireLink {
  session: smpp.Session;
  answered: boolean;
}

export interface Submitted {
  session: smpp.Session;
  pdu: smpp.PDU;
  /** The short_message as the package decodes it with data_coding: the text, and the UDH elements when esm_class has UDHI. */
  text: string;
  udh: Buffer[];
  messageId: string | null;
}

const ESME_RBINDFAIL = 0x0d;
const ESME_RTHROTTLED = 0x58;

export class Smsc {
  /** Every submit_sm received, answered or not. */
  readonly received: Submitted[] = [];
  /** The submit_sm answered with command_status 0 (the SMSC took them). */
  readonly accepted: Submitted[] = [];
  /** Bind attempts: whether each was accepted. */
  readonly binds: boolean[] = [];
  /** submit_sm answered ESME_RTHROTTLED. */
  throttled = 0;
  /** While true, submit_sm are kept in `held` unanswered. */
  hold = false;
  readonly held: Submitted[] = [];
  /** When set, each accepted submit_sm's DELIVRD receipt is sent just before its submit_sm_resp (as one on another bind may overtake it). */
  receiptOnAccept = false;
  /** Every enquire_link received, answered or not. */
  readonly enquireLinks: EnquireLink[] = [];
  /** While true, enquire_link are recorded and left unanswered (the connection stays open). */
  ignoreEnquireLink = false;
  /** While true, bind_transceiver is refused (ESME_RBINDFAIL) whatever the credentials, as by an SMSC in maintenance. */
  refuseBinds = false;
  /** Answers ESME_RTHROTTLED to a submit_sm when this says so (by its index among those received). */
  throttle: (index: number) => boolean = () => false;
  private nextId = 1;
  private readonly waiters: Array<() => void> = [];
  private readonly acceptListeners: Array<(s: Submitted) => void> = [];

  private constructor(
    private readonly server: smpp.Server,
    readonly port: number,
    private readonly account: { systemId: string; password: string },
  ) {}

  static async start(account: { systemId: string; password: string }): Promise<Smsc> {
    let smsc: Smsc | undefined;
    const server = smpp.createServer({}, (session) => smsc!.serve(session));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    smsc = new Smsc(server, (server.address() as AddressInfo).port, account);
    return smsc;
  }

  get url(): string {
    return `smpp://127.0.0.1:${this.port}`;
  }

  private serve(session: smpp.Session): void {
    let bound = false;
    session.on('error', () => undefined);
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      bound = !this.refuseBinds && pdu.system_id === this.account.systemId && pdu.password === this.account.password;
      this.binds.push(bound);
      session.send(pdu.response(bound ? { system_id: 'test-smsc' } : { command_status: ESME_RBINDFAIL }));
      if (!bound) session.close();
      this.changed();
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      const sm = pdu.short_message as { message?: unknown; udh?: Buffer[] };
      const s: Submitted = { session, pdu, text: String(sm?.message ?? ''), udh: sm?.udh ?? [], messageId: null };
      const index = this.received.push(s) - 1;
      if (!bound) session.send(pdu.response({ command_status: 0x04 }));
      else if (this.throttle(index)) {
        this.throttled++;
        session.send(pdu.response({ command_status: ESME_RTHROTTLED }));
      } else if (this.hold) this.held.push(s);
      else this.answer(s);
      this.changed();
    });
    session.on('enquire_link', (pdu: smpp.PDU) => {
      const answered = !this.ignoreEnquireLink;
      this.enquireLinks.push({ session, answered });
      if (answered) session.send(pdu.response());
      this.changed();
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
  }

  /** Answers a held (or just received) submit_sm with command_status 0 and a new message id. */
  answer(s: Submitted): void {
    s.messageId = `msg${String(this.nextId++).padStart(6, '0')}`;
    if (this.receiptOnAccept) void this.receipt(s.messageId, 'DELIVRD', {}, s.session);
    s.session.send(s.pdu.response({ message_id: s.messageId }));
    this.accepted.push(s);
    for (const l of this.acceptListeners) l(s);
    const i = this.held.indexOf(s);
    if (i >= 0) this.held.splice(i, 1);
    this.changed();
  }

  /** Calls `fn` with each submit_sm the SMSC accepts (the bench notes arrivals with it). */
  onAccepted(fn: (s: Submitted) => void): void {
    this.acceptListeners.push(fn);
  }

  /** Cuts every connection at once (TCP reset, no unbind), as a crashed SMSC or a broken link does. */
  dropAll(): void {
    for (const s of [...this.server.sessions]) s.destroy();
    this.held.length = 0;
  }

  /**
   * Sends a delivery receipt for `messageId` on a bound connection: the Appendix B text, and with
   * `tlvs` also receipted_message_id and message_state. Resolves the deliver_sm_resp's command_status.
   */
  async receipt(messageId: string, stat: string, opts: { err?: string; tlvs?: boolean; state?: number } = {}, on?: smpp.Session): Promise<number> {
    const session = on ?? this.server.sessions[0];
    if (!session) throw new Error('no SMPP session to send the receipt on');
    const text = `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2612030800 done date:2612030801 stat:${stat} err:${opts.err ?? '000'} text:`;
    const tlvs = opts.tlvs ? { receipted_message_id: messageId, message_state: opts.state } : {};
    return new Promise((resolve) =>
      session.deliver_sm({ source_addr: '15017122661', destination_addr: 'Acme', esm_class: 0x04, data_coding: 0, short_message: text, ...tlvs }, (resp) => resolve(resp.command_status)),
    );
  }

  /**
   * An enquire_link to every open connection, resolved when all are answered. Each connection is
   * one ordered stream, so every PDU the ESME wrote before its answer has been received by then:
   * tests on a hand-driven clock use it to show that nothing more was submitted.
   */
  async roundTrip(): Promise<void> {
    await Promise.all(this.server.sessions.map((s) => new Promise<void>((resolve) => s.enquire_link({}, () => resolve()))));
  }

  /** Resolves when `done` holds, checked after each thing the SMSC sees. */
  async until(done: () => boolean, what: string, limitMs = 20_000): Promise<void> {
    const started = performance.now();
    while (!done()) {
      if (performance.now() - started > limitMs) throw new Error(`timed out waiting for the SMSC: ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private changed(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
