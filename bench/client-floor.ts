/**
 * The CPU a bare Node process spends making one provider request: the floor under any queued send.
 * Reads {url, accountSid, authToken, requests, concurrency} on stdin, POSTs a Messages.json form like
 * the Twilio provider's (undici request, keep-alive) to the stand-in that many times, and prints
 * {usPerRequest} from its own process.cpuUsage(): no database, no queue, no rendering.
 */
import { request } from 'undici';

interface Input {
  url: string;
  accountSid: string;
  authToken: string;
  requests: number;
  concurrency: number;
}

async function main(): Promise<void> {
  let raw = '';
  for await (const chunk of process.stdin) raw += chunk;
  const input = JSON.parse(raw) as Input;
  const url = `${input.url}/2010-04-01/Accounts/${input.accountSid}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${input.accountSid}:${input.authToken}`).toString('base64')}`;
  let next = 0;
  const one = async (i: number) => {
    const body = new URLSearchParams({ To: `+1201${3_000_000 + i}`, From: '+15005550006', Body: `Your verification code is: ${String(i).padStart(6, '0')}`, StatusCallback: 'http://127.0.0.1:1/callbacks/twilio/floor/messages' });
    const res = await request(url, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: body.toString(), signal: AbortSignal.timeout(10_000) });
    if (res.statusCode !== 201) throw new Error(`the stand-in answered ${res.statusCode}: ${await res.body.text()}`);
    JSON.parse(await res.body.text());
  };
  const run = async (count: number) => {
    const end = next + count;
    await Promise.all(Array.from({ length: input.concurrency }, async () => {
      while (next < end) await one(next++);
    }));
  };
  await run(Math.min(200, input.requests)); // warm-up: JIT and connections
  const before = process.cpuUsage();
  await run(input.requests);
  const used = process.cpuUsage(before);
  process.stdout.write(JSON.stringify({ usPerRequest: (used.user + used.system) / input.requests }));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
