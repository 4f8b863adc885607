/**
 * GET /v2/Attempts paging: PageSize bounds, the meta envelope page by page, the SDK's list, each
 * and page/nextPage over every page newest first, filters kept in next_page_url, and the keyset
 * cursor holding steady while attempts are written between page fetches. Both backends.
 */
import assert from 'node:assert/strict';
import { onEachBackend, setup, type Account, type ServiceApi, type TestServer } from '../support/server.js';

const START = new Date('2025-05-01T08:00:00Z');

interface Meta {
  key: string;
  page: number;
  page_size: number;
  first_page_url: string;
  previous_page_url: string | null;
  url: string;
  next_page_url: string | null;
}
interface ListBody {
  attempts: Array<{ sid: string; date_created: string; channel: string }>;
  meta: Meta;
}

async function getJson<T>(server: TestServer, acct: Account, url: string): Promise<{ status: number; body: T }> {
  const path = url.startsWith(server.baseUrl) ? url.slice(server.baseUrl.length) : url;
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, body: (await res.json()) as T };
}

/** Follows next_page_url from `first` to the end; every page is checked against its meta. */
async function walk(server: TestServer, acct: Account, first: string, onPage?: (page: number) => Promise<void>): Promise<string[]> {
  const sids: string[] = [];
  let url: string | null = first;
  let page = 0;
  while (url !== null) {
    const { status, body }: { status: number; body: ListBody } = await getJson<ListBody>(server, acct, url);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.meta.key, 'attempts');
    assert.equal(body.meta.page, page);
    if (body.meta.next_page_url !== null) assert.equal(body.attempts.length, body.meta.page_size, 'only the last page is short');
    assert.ok(body.attempts.length > 0 || page === 0, 'no empty trailing page');
    sids.push(...body.attempts.map((a) => a.sid));
    await onPage?.(page);
    url = body.meta.next_page_url;
    page += 1;
  }
  return sids;
}

onEachBackend('attempts: paging', async (t, server, clock) => {
  // Nine attempts: six a second apart, then three in one millisecond (ordered by sid among themselves).
  const { acct, api } = await setup(server);
  const to = (i: number) => `+1501712${String(2000 + i).padStart(4, '0')}`;
  const make = async (a: ServiceApi, i: number, channel: 'sms' | 'call' = i % 3 === 0 ? 'call' : 'sms') =>
    (await a.verifications.create({ to: to(i), channel })).sendCodeAttempts[0]?.attempt_sid as string;
  const made: string[] = [];
  for (let i = 0; i < 6; i++) {
    made.push(await make(api, i));
    clock.advance(1_000);
  }
  const same = [await make(api, 6), await make(api, 7), await make(api, 8)].sort();
  clock.advance(1_000);
  const newestFirst = [...same.reverse(), ...made.reverse()];
  const other = await setup(server);
  for (let i = 0; i < 3; i++) await make(other.api, i);

  await t.test('PageSize must be 1..1000; 1 and 1000 are fine', async () => {
    for (const bad of ['0', '1001', '-1', 'x', '1.5', '']) {
      const { status, body } = await getJson(server, acct, `/v2/Attempts?PageSize=${bad}`);
      assert.equal(status, 400, bad);
      assert.deepEqual(body, { code: 60200, message: 'Invalid parameter: PageSize', more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });
    }
    for (const ok of [1, 1000]) {
      const { status, body } = await getJson<ListBody>(server, acct, `/v2/Attempts?PageSize=${ok}`);
      assert.equal(status, 200);
      assert.equal(body.meta.page_size, ok);
      assert.equal(body.attempts.length, Math.min(ok, 9));
    }
  });

  await t.test('the envelope page by page: newest first, each attempt once, the URLs of each page', async () => {
    const base = `${server.baseUrl}/v2/Attempts`;
    const metas: Meta[] = [];
    const sids: string[] = [];
    let url: string | null = `${base}?PageSize=4`;
    while (url !== null) {
      const { body }: { body: ListBody } = await getJson<ListBody>(server, acct, url);
      metas.push(body.meta);
      sids.push(...body.attempts.map((a) => a.sid));
      url = body.meta.next_page_url;
    }
    assert.deepEqual(sids, newestFirst);
    assert.deepEqual(metas.map((m) => [m.page, m.page_size, m.key]), [[0, 4, 'attempts'], [1, 4, 'attempts'], [2, 4, 'attempts']]);
    for (const [i, m] of metas.entries()) {
      assert.equal(m.first_page_url, `${base}?PageSize=4&Page=0`);
      if (i === 0) assert.equal(m.previous_page_url, null);
      else assert.match(m.previous_page_url ?? '', new RegExp(`^${base.replace(/[.?]/g, '\\$&')}\\?PageSize=4&Page=${i - 1}&PageToken=PB[A-Za-z0-9_-]+$`));
      if (i > 0) assert.equal(m.url, metas[i - 1]?.next_page_url);
      else assert.equal(m.url, `${base}?PageSize=4&Page=0`);
      assert.match(m.next_page_url ?? `${base}?PageSize=4&Page=${i + 1}&PageToken=PAx`, new RegExp(`^${base.replace(/[.?]/g, '\\$&')}\\?PageSize=4&Page=${i + 1}&PageToken=PA[A-Za-z0-9_-]+$`));
    }
    assert.equal(metas[2]?.next_page_url, null);
    // Exactly divisible: the last full page says there is nothing more (no empty page follows).
    assert.deepEqual(await walk(server, acct, '/v2/Attempts?PageSize=3'), newestFirst);
    assert.deepEqual(await walk(server, acct, '/v2/Attempts?PageSize=1'), newestFirst);
    assert.deepEqual(await walk(server, acct, '/v2/Attempts?PageSize=9'), newestFirst);
    // previous_page_url (a PB token: the rows just before the page's first) leads back to the page before.
    const { body: p1 } = await getJson<ListBody>(server, acct, metas[1]?.next_page_url as string);
    const { body: back } = await getJson<ListBody>(server, acct, p1.meta.previous_page_url as string);
    assert.deepEqual(back.attempts.map((a) => a.sid), newestFirst.slice(4, 8));
    assert.equal(back.meta.page, 1);
    assert.equal(back.meta.next_page_url !== null, true, 'a page reached backwards has the next one after it');
  });

  await t.test('the SDK: list with a small pageSize, each, page and nextPage walk every page', async () => {
    const attempts = acct.client.verify.v2.verificationAttempts;
    assert.deepEqual((await attempts.list({ pageSize: 2 })).map((a) => a.sid), newestFirst);
    assert.deepEqual((await attempts.list({ pageSize: 1000 })).map((a) => a.sid), newestFirst);
    assert.deepEqual((await attempts.list({ pageSize: 2, limit: 5 })).map((a) => a.sid), newestFirst.slice(0, 5));
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      attempts.each({ pageSize: 3, callback: (a) => void seen.push(a.sid), done: (err?: Error) => (err ? reject(err) : resolve()) });
    });
    assert.deepEqual(seen, newestFirst);
    const paged: string[] = [];
    let pages = 0;
    type AnyPage = { instances: Array<{ sid: string }>; nextPage(): Promise<AnyPage> | undefined };
    for (let p: AnyPage | undefined = await attempts.page({ pageSize: 2 }); p; p = await p.nextPage()) {
      paged.push(...p.instances.map((a) => a.sid));
      pages += 1;
    }
    assert.deepEqual(paged, newestFirst);
    assert.equal(pages, 5);
    // The other account pages through its own three only.
    assert.equal((await other.acct.client.verify.v2.verificationAttempts.list({ pageSize: 1 })).length, 3);
  });

  await t.test('filters survive into next_page_url', async () => {
    const first = `/v2/Attempts?Channel=sms&${new URLSearchParams({ 'ChannelData.To': to(4) })}&PageSize=1`;
    assert.equal((await walk(server, acct, first)).length, 1);
    const urls: string[] = [];
    let url: string | null = '/v2/Attempts?Channel=sms&Status=unconverted&PageSize=1';
    const sids: string[] = [];
    while (url !== null) {
      const { body }: { body: ListBody } = await getJson<ListBody>(server, acct, url);
      assert.ok(body.attempts.every((a) => a.channel === 'sms'));
      sids.push(...body.attempts.map((a) => a.sid));
      url = body.meta.next_page_url;
      if (url !== null) urls.push(url);
    }
    const smsOnly = await acct.client.verify.v2.verificationAttempts.list({ channel: 'sms' });
    assert.deepEqual(sids, smsOnly.map((a) => a.sid));
    assert.equal(sids.length, 6);
    for (const u of urls) assert.match(u, /\?Channel=sms&Status=unconverted&PageSize=1&Page=\d+&PageToken=PA/);
    assert.deepEqual((await acct.client.verify.v2.verificationAttempts.list({ channel: 'call', pageSize: 1 })).map((a) => a.sid), newestFirst.filter((s) => !smsOnly.some((a) => a.sid === s)));
  });

  await t.test('keyset: attempts written between page fetches are not repeated and push nothing out', async () => {
    const { acct: acct2, api: api2 } = await setup(server);
    const before: string[] = [];
    for (let i = 0; i < 5; i++) {
      before.push(await make(api2, 20 + i, 'sms'));
      clock.advance(1_000);
    }
    before.reverse();
    // Newer attempts arrive after every page; an offset would shift the rows already seen down into the next page.
    let n = 0;
    const sids = await walk(server, acct2, '/v2/Attempts?PageSize=2', async () => {
      await make(api2, 30 + n++, 'sms');
      clock.advance(1_000);
    });
    assert.deepEqual(sids, before);
    // Written in the same millisecond as the page's last row: still no repeats and no skips.
    const { acct: acct3, api: api3 } = await setup(server);
    for (let i = 0; i < 6; i++) await make(api3, 40 + i, 'sms');
    const existing = (await acct3.client.verify.v2.verificationAttempts.list({})).map((a) => a.sid);
    const added: string[] = [];
    const got = await walk(server, acct3, '/v2/Attempts?PageSize=2', async () => {
      added.push(await make(api3, 50 + added.length, 'sms'));
    });
    assert.equal(new Set(got).size, got.length, 'no attempt twice');
    assert.deepEqual(got.filter((s) => existing.includes(s)), existing, 'every existing attempt, in order');
    assert.ok(got.every((s) => existing.includes(s) || added.includes(s)));
    clock.advance(1_000);
  });

  await t.test('previous_page_url from inside a millisecond tie: the rows just before, by sid', async () => {
    // newestFirst[0..2] share a millisecond; page 1 of size 2 starts at the third of them.
    const { body: p1 } = await getJson<ListBody>(server, acct, '/v2/Attempts?PageSize=2&Page=1');
    assert.deepEqual(p1.attempts.map((a) => a.sid), newestFirst.slice(2, 4));
    const { body: back } = await getJson<ListBody>(server, acct, p1.meta.previous_page_url as string);
    assert.deepEqual(back.attempts.map((a) => a.sid), newestFirst.slice(0, 2));
    assert.equal(back.meta.previous_page_url, null);
    const { body: p1again } = await getJson<ListBody>(server, acct, back.meta.next_page_url as string);
    assert.deepEqual(p1again.attempts.map((a) => a.sid), newestFirst.slice(2, 4));
  });

  await t.test('previous_page_url walks back from the last page to the newest attempt, new ones included', async () => {
    const { acct: acct4, api: api4 } = await setup(server);
    for (let i = 0; i < 7; i++) {
      await make(api4, 60 + i, 'sms');
      clock.advance(1_000);
    }
    const all = (await acct4.client.verify.v2.verificationAttempts.list({})).map((a) => a.sid);
    // The last page by offset, then back page by page; an attempt arrives before every step.
    let url: string | null = '/v2/Attempts?PageSize=2&Page=3';
    const seen: string[][] = [];
    const added: string[] = [];
    while (url !== null) {
      const { status, body }: { status: number; body: ListBody } = await getJson<ListBody>(server, acct4, url);
      assert.equal(status, 200);
      seen.unshift(body.attempts.map((a) => a.sid));
      added.unshift(await make(api4, 70 + added.length, 'sms'));
      clock.advance(1_000);
      url = body.meta.previous_page_url;
      assert.ok(seen.length < 20, 'the walk ends');
    }
    const walked = seen.flat();
    assert.equal(new Set(walked).size, walked.length, 'no attempt twice');
    assert.deepEqual(walked.slice(-all.length), all, 'every attempt that existed, in order');
    assert.ok(walked.slice(0, -all.length).every((s) => added.includes(s)), 'and before them only the new ones');
    assert.ok(walked.length > all.length, 'the new attempts are reached going back');
    for (const page of seen.slice(0, -1)) assert.equal(page.length, 2, 'only the last page is short');
  });
}, { start: START, attemptsRatePerMinute: 1_000_000 });
