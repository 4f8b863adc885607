/** A minimal keep-alive HTTP client for setting up a bench (not used for the measured load). */
import { Agent, request } from 'node:http';

export class Api {
  private readonly agent: Agent;
  readonly authorization: string;

  constructor(
    readonly baseUrl: string,
    accountSid: string,
    authToken: string,
    maxSockets = 50,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets });
    this.authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  }

  send(method: 'GET' | 'POST', path: string, form?: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const body = form === undefined ? undefined : Buffer.from(form);
      const req = request(
        `${this.baseUrl}${path}`,
        {
          method,
          agent: this.agent,
          timeout: 30_000,
          headers: {
            authorization: this.authorization,
            ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Sends and parses JSON, failing unless the status is the expected one. */
  async json<T>(method: 'GET' | 'POST', path: string, form: string | undefined, expect: number): Promise<T> {
    const res = await this.send(method, path, form);
    if (res.status !== expect) throw new Error(`${method} ${path} answered ${res.status} (expected ${expect}): ${res.body.slice(0, 300)}`);
    return JSON.parse(res.body) as T;
  }

  async createService(friendlyName: string): Promise<string> {
    const s = await this.json<{ sid: string }>('POST', '/v2/Services', `FriendlyName=${encodeURIComponent(friendlyName)}`, 201);
    return s.sid;
  }

  close(): void {
    this.agent.destroy();
  }
}
