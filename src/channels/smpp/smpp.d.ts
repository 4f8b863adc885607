/** The `smpp` package ships no types; this is the part verifyd and its tests use (SMPP 3.4 sessions over TCP or TLS). */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  namespace smpp {

  /** One PDU: the header fields and the command's parameters and TLVs by name. */
  interface PDU {
    command: string;
    command_id: number;
    command_status: number;
    sequence_number: number;
    // Parameters and TLVs vary by command.
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, unknown>): PDU;
  }

  type ResponseCallback = (pdu: PDU) => void;

  class Session extends EventEmitter {
    socket: Socket;
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    submit_sm(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    deliver_sm(options: Record<string, unknown>, responseCallback?: ResponseCallback): boolean;
    enquire_link(options?: Record<string, unknown> | ResponseCallback, responseCallback?: ResponseCallback): boolean;
    unbind(options?: Record<string, unknown> | ResponseCallback, responseCallback?: ResponseCallback): boolean;
  }

  interface Server extends NetServer {
    sessions: Session[];
  }

  interface ConnectOptions {
    host: string;
    port: number;
    tls?: boolean;
    ca?: string;
    rejectUnauthorized?: boolean;
    servername?: string;
  }

  function connect(options: ConnectOptions, listener?: () => void): Session;
  function createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;
  const PDU: { new (command: string, options?: Record<string, unknown>): PDU };
  }
  export = smpp;
}
