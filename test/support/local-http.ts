/** What the local stand-ins of carriers (test/support/vonage.ts, gateway.ts) share: a server on a free port, and waiting for what they record. */
import type { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

/** A stand-in's server: its origin, requests left unanswered on purpose (an outage that hangs), closing. */
export interface LocalServer {
  origin: string;
  /** Leaves `res` unanswered until the server closes. */
  hang(res: ServerResponse): void;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 and a free port, handing each request over with its whole body. */
export async function listenLocal(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const hung = new Set<ServerResponse>();
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hang: (res) => void hung.add(res),
    close() {
      for (const res of hung) res.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A JSON answer. */
export function answerJson(res: ServerResponse, status: number, json: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(json));
}

/**
 * The first of `records` that `match` accepts, already there or emitted later as `event` (a send
 * may be queued); after `limitMs` a failure naming `what` and what `detail` says went wrong.
 */
export function waitForRecord<T>(records: readonly T[], events: EventEmitter, event: string, match: (r: T) => boolean, what: string, detail: () => string, limitMs = 15_000): Promise<T> {
  const found = records.find(match);
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      events.off(event, on);
      reject(new Error(`timed out waiting for ${what}; ${detail()}`));
    }, limitMs);
    const on = (r: T) => {
      if (!match(r)) return;
      clearTimeout(timer);
      events.off(event, on);
      resolve(r);
    };
    events.on(event, on);
  });
}

/**
 * An address where every connection is refused, as by a carrier that is down: port 4, which is
 * assigned to no service, so nothing on these machines serves it, which the kernel never hands out
 * for a listen on port 0 (its ephemeral ports are above 1024), and which fetch does not refuse
 * itself (its "bad ports" list has 1, 7, 9, ...). A port freePort() found free could be taken by a parallel
 * test's server before it was used: once in CI, a "down" provider answered 401.
 */
export const REFUSED_PORT = 4;
export const REFUSED_HOST = `127.0.0.1:${REFUSED_PORT}`;

/**
 * A host that accepts TCP connections and never says a word, as a carrier that hangs: a TLS client
 * waits for a ServerHello that never comes, an HTTP client for an answer. `close` drops them all.
 */
export async function silentHost(): Promise<{ host: string; port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((s) => void sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    port,
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}
