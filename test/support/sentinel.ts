/**
 * The fixture of the malformed-input suites: a real server with a "sentinel" service and pending
 * verification whose stored state, as the API shows it, must never change under bad requests.
 */
import assert from 'node:assert/strict';
import { startServer, type Account, type TestServer } from './server.js';

export const SENTINEL_TO = '+15017122661';

export type Init = RequestInit & { auth?: { user: string; pass: string } | null };

export interface Sentinel {
  server: TestServer;
  acct: Account;
  svc: string;
  ve: string;
  /** The snapshot taken right after setup. */
  baseline: string;
  /** Raw HTTP as the sentinel's account. */
  send(method: string, path: string, init?: Init): Promise<Response>;
  /** Everything stored about the sentinel (service, verification, inbox), as JSON text. */
  snapshot(): Promise<string>;
}

export async function startSentinel(): Promise<Sentinel> {
  const server = await startServer('sqlite');
  if ('skip' in server) throw new Error(server.skip);
  const acct = await server.account();
  const svc = (await acct.client.verify.v2.services.create({ friendlyName: 'Sentinel' })).sid;
  const ve = (await acct.client.verify.v2.services(svc).verifications.create({ to: SENTINEL_TO, channel: 'sms' })).sid;
  const send = (method: string, path: string, init: Init = {}) =>
    server.fetch(path, { method, auth: { user: acct.sid, pass: acct.authToken }, ...init });
  const snapshot = async () => {
    const parts = await Promise.all([
      send('GET', `/v2/Services/${svc}`),
      send('GET', `/v2/Services/${svc}/Verifications/${ve}`),
      send('GET', `/inbox/messages?To=${encodeURIComponent(SENTINEL_TO)}`),
    ]);
    for (const r of parts) assert.equal(r.status, 200, `sentinel still readable (${r.url})`);
    return JSON.stringify(await Promise.all(parts.map((r) => r.json())));
  };
  return { server, acct, svc, ve, send, snapshot, baseline: await snapshot() };
}

/** The routes that take a body, with the sentinel's SIDs filled in. */
export const bodyRoutes = (svc: string, ve: string): Array<[string, string]> => [
  ['POST', '/v2/Services'],
  ['POST', `/v2/Services/${svc}`],
  ['DELETE', `/v2/Services/${svc}`],
  ['POST', `/v2/Services/${svc}/Verifications`],
  ['POST', `/v2/Services/${svc}/Verifications/${ve}`],
  ['POST', `/v2/Services/${svc}/VerificationCheck`],
];
