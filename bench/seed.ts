/**
 * The check pool: pending verifications created over HTTP before the check run, with their codes
 * read back from the inbox. The inbox answers at most 1000 messages, newest first, so the pool is
 * created in batches of 1000 in a service of its own and each batch's codes are read right after it.
 */
import type { Api } from './api.js';
import { phoneNumber, startBody } from './common.js';

const BATCH = 1000;

interface InboxPage {
  messages: Array<{ to: string; code: string | null }>;
}

export async function seedCheckPool(api: Api, serviceSid: string, size: number, npa: string, concurrency = 50): Promise<Array<[string, string]>> {
  const pool: Array<[string, string]> = [];
  for (let from = 0; from < size; from += BATCH) {
    const numbers = Array.from({ length: Math.min(BATCH, size - from) }, (_, k) => phoneNumber(npa, from + k));
    let next = 0;
    const worker = async () => {
      while (next < numbers.length) {
        const to = numbers[next++]!;
        await api.json('POST', `/v2/Services/${serviceSid}/Verifications`, startBody(to), 201);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, numbers.length) }, worker));

    const page = await api.json<InboxPage>('GET', `/inbox/messages?PageSize=${BATCH}&ServiceSid=${serviceSid}`, undefined, 200);
    const codes = new Map(page.messages.map((m) => [m.to, m.code]));
    for (const to of numbers) {
      const code = codes.get(to);
      if (!code) throw new Error(`no inbox code for ${to} after seeding`);
      pool.push([to, code]);
    }
  }
  return pool;
}
