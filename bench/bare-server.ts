/**
 * The reference: a bare node:http server that reads the request body and answers a fixed
 * verification JSON (201), as verifyd does for a start. `PORT=... node --import tsx bench/bare-server.ts`
 */
import { createServer } from 'node:http';

const BODY = Buffer.from(
  JSON.stringify({
    sid: 'VE27085cd5ad60fff6b6115520e66b6eb0',
    service_sid: 'VA569c52a00f8ef50e2ccc7fb6e0b83eaf',
    account_sid: 'AC4fb0c0cce310adcaf989165062d0f1f3',
    to: '+12012000001',
    channel: 'sms',
    status: 'pending',
    valid: false,
    date_created: '2026-01-01T00:00:00Z',
    date_updated: '2026-01-01T00:00:00Z',
    lookup: {},
    amount: null,
    payee: null,
    send_code_attempts: [{ time: '2026-01-01T00:00:00Z', channel: 'SMS', attempt_sid: 'VL1ab600f96131bb5ae657f6531b7e3d15' }],
    sna: null,
    url: 'http://127.0.0.1:4000/v2/Services/VA569c52a00f8ef50e2ccc7fb6e0b83eaf/Verifications/VE27085cd5ad60fff6b6115520e66b6eb0',
  }),
);

const server = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json', 'content-length': BODY.length });
    res.end(BODY);
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
