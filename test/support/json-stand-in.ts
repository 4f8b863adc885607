/**
 * The HTTP plumbing of the JSON carrier stand-ins (test/support/whatsapp-cloud.ts, sendgrid.ts): a
 * local server that hands each request's method, path, headers and raw body to the stand-in, and
 * waits for what it recorded.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface StandInAnswer {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
}

export class JsonServer {
  private readonly events = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handle: (req: StandInRequest) => StandInAnswer): Promise<JsonServer> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        let answer: StandInAnswer;
        try {
          answer = handle({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        } catch (err) {
          answer = { status: 500, json: { error: String(err) } };
        }
        const body = answer.json === undefined ? '' : JSON.stringify(answer.json);
        res.writeHead(answer.status, { ...(body ? { 'content-type': 'application/json' } : {}), ...answer.headers });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new JsonServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  /** Tells waiters something was recorded. */
  changed(): void {
    this.events.emit('change');
  }

  /** The first of `items` that `match` takes, once there is one (15 s at most). */
  async waitFor<T>(items: readonly T[], match: (item: T) => boolean, what: string): Promise<T> {
    const found = () => items.find(match);
    const now = found();
    if (now) return now;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('change', check);
        reject(new Error(`timed out waiting for ${what}`));
      }, 15_000);
      const check = () => {
        const it = found();
        if (!it) return;
        clearTimeout(timer);
        this.events.off('change', check);
        resolve(it);
      };
      this.events.on('change', check);
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
