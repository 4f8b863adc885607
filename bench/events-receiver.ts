/**
 * The webhook receiver of the events scenario, a process of its own:
 * `PORT=... node --import tsx bench/events-receiver.ts`.
 *
 * POST (any path): reads the body (a JSON array of CloudEvents), notes for each event its id, the
 * event's `time` (the commit time of the status change), the verification it is about and the
 * moment the body had fully arrived, then answers 200. That moment is when the receiver
 * acknowledges, so lag = received - time is commit to acknowledgement (both processes read the
 * same machine clock). It does no other work (no signature check: the tests cover signatures),
 * so it stays cheap next to verifyd on a small machine.
 *
 * GET /stats: counts so far, for polling while the backlog drains.
 * GET /records: every receipt as [id, timeMs, receivedMs, verificationSid], in arrival order; a
 *   redelivered event appears once per receipt, so the caller can count duplicates.
 * GET /healthz: 200 once listening.
 */
import { createServer } from 'node:http';
import type { Receipt } from './events.js';

const receipts: Receipt[] = [];
const seen = new Set<string>();
let requests = 0;
let unreadable = 0;
let lastReceivedMs = 0;

function record(body: string, receivedMs: number): void {
  let events: unknown;
  try {
    events = JSON.parse(body);
  } catch {
    unreadable += 1;
    return;
  }
  if (!Array.isArray(events)) {
    unreadable += 1;
    return;
  }
  for (const e of events as Array<{ id?: unknown; time?: unknown; data?: { verification_sid?: unknown } }>) {
    const id = typeof e?.id === 'string' ? e.id : '';
    const time = typeof e?.time === 'string' ? Date.parse(e.time) : NaN;
    const ve = typeof e?.data?.verification_sid === 'string' ? e.data.verification_sid : '';
    if (!id || Number.isNaN(time)) {
      unreadable += 1;
      continue;
    }
    receipts.push([id, time, receivedMs, ve]);
    seen.add(id);
  }
  lastReceivedMs = receivedMs;
}

const server = createServer((req, res) => {
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const receivedMs = Date.now();
      requests += 1;
      record(Buffer.concat(chunks).toString('utf8'), receivedMs);
      res.writeHead(200, { 'content-length': 0 });
      res.end();
    });
    return;
  }
  let body: unknown;
  if (req.url === '/stats') body = { requests, receipts: receipts.length, distinct: seen.size, unreadable, lastReceivedMs };
  else if (req.url === '/records') body = receipts;
  else if (req.url === '/healthz') body = { ok: true };
  if (body === undefined) {
    res.writeHead(404);
    res.end();
    return;
  }
  const out = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length });
  res.end(out);
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
