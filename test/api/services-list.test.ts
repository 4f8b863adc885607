/**
 * GET /v2/Services paging: the envelope, PageSize/PageToken validation, and walking pages with the
 * SDK's list(), each(), page()/nextPage()/previousPage(), on both backends.
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type { ManualClock } from '../../src/domain/clock.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

/** The servers run on a ManualClock starting here. */
const CLOCK = { start: new Date('2024-03-01T12:00:00.000Z') };

const NAMES = ['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven'];

/** Creates the seven services `step` ms apart (0: all in the same millisecond); returns their SIDs in creation order. */
async function createSeven(acct: Account, clock: ManualClock, step: number): Promise<string[]> {
  const sids: string[] = [];
  for (const name of NAMES) {
    clock.advance(step);
    sids.push((await acct.client.verify.v2.services.create({ friendlyName: `Service ${name}` })).sid);
  }
  return sids;
}

/** What page()/nextPage() give back, loosely typed (nextPage() returns the base Page class). */
interface SdkPage {
  instances: Array<{ sid: string }>;
  nextPage(): Promise<SdkPage> | undefined;
}

/** Follows nextPage() to the end; returns the SIDs of every page in order. */
async function walk(first: SdkPage): Promise<string[][]> {
  const pages: string[][] = [];
  for (let page: SdkPage | undefined = first; page; page = await page.nextPage()) pages.push(page.instances.map((s) => s.sid));
  return pages;
}

async function rawList(server: TestServer, acct: Account, query: string) {
  const res = await server.fetch(`/v2/Services${query}`, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, body: (await res.json()) as { services: Array<{ sid: string }>; meta: Record<string, unknown> } & Record<string, unknown> };
}

/** The path and query of an absolute URL on the server, which must be the server's own base. */
function onServer(server: TestServer, url: unknown): string {
  assert.equal(typeof url, 'string');
  assert.ok((url as string).startsWith(`${server.baseUrl}/v2/Services?`), `${String(url)} is not on ${server.baseUrl}`);
  return (url as string).slice(server.baseUrl.length);
}

onEachBackend('list envelope', async (t, server, clock) => {
  const acct = await server.account();
  const sids = await createSeven(acct, clock, 1000);

  await t.test('defaults: one page of 50 with every service', async () => {
    const { status, body } = await rawList(server, acct, '');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), ['meta', 'services']);
    const first = `${server.baseUrl}/v2/Services?PageSize=50&Page=0`;
    assert.deepEqual(body.meta, { page: 0, page_size: 50, first_page_url: first, previous_page_url: null, url: first, next_page_url: null, key: 'services' });
    assert.deepEqual(body.services.map((s) => s.sid), sids);
    const single = await server.fetch(`/v2/Services/${sids[0]}`, { auth: { user: acct.sid, pass: acct.authToken } });
    assert.deepEqual(body.services[0], await single.json());
  });

  await t.test('next_page_url carries a PageToken and leads to the next page', async () => {
    const p0 = await rawList(server, acct, '?PageSize=3');
    assert.deepEqual(p0.body.services.map((s) => s.sid), sids.slice(0, 3));
    assert.equal(p0.body.meta.page, 0);
    assert.equal(p0.body.meta.page_size, 3);
    assert.equal(p0.body.meta.previous_page_url, null);
    const next = onServer(server, p0.body.meta.next_page_url);
    assert.match(next, /^\/v2\/Services\?PageSize=3&Page=1&PageToken=PA[A-Za-z0-9_-]+$/);

    const p1 = await rawList(server, acct, next.slice('/v2/Services'.length));
    assert.equal(p1.status, 200);
    assert.deepEqual(p1.body.services.map((s) => s.sid), sids.slice(3, 6));
    assert.equal(p1.body.meta.page, 1);
    assert.equal(p1.body.meta.url, `${server.baseUrl}${next}`);
    assert.equal(p1.body.meta.first_page_url, `${server.baseUrl}/v2/Services?PageSize=3&Page=0`);
    const previous = onServer(server, p1.body.meta.previous_page_url);
    assert.match(previous, /^\/v2\/Services\?PageSize=3&Page=0&PageToken=PB[A-Za-z0-9_-]+$/);
    const back = await rawList(server, acct, previous.slice('/v2/Services'.length));
    assert.deepEqual(back.body.services.map((s) => s.sid), sids.slice(0, 3));
    assert.equal(back.body.meta.previous_page_url, null);
    assert.equal(onServer(server, back.body.meta.next_page_url), next, 'and forward again to the same page');

    const p2 = await rawList(server, acct, onServer(server, p1.body.meta.next_page_url).slice('/v2/Services'.length));
    assert.deepEqual(p2.body.services.map((s) => s.sid), sids.slice(6));
    assert.equal(p2.body.meta.next_page_url, null);
  });

  await t.test('a Page without a PageToken is an offset', async () => {
    const { body } = await rawList(server, acct, '?PageSize=2&Page=2');
    assert.deepEqual(body.services.map((s) => s.sid), sids.slice(4, 6));
    assert.equal(body.meta.page, 2);
    const previous = onServer(server, body.meta.previous_page_url);
    assert.match(previous, /^\/v2\/Services\?PageSize=2&Page=1&PageToken=PB[A-Za-z0-9_-]+$/);
    assert.deepEqual((await rawList(server, acct, previous.slice('/v2/Services'.length))).body.services.map((s) => s.sid), sids.slice(2, 4));
    const beyond = await rawList(server, acct, '?PageSize=2&Page=9');
    assert.deepEqual(beyond.body.services, []);
    assert.equal(beyond.body.meta.next_page_url, null);
  });

  await t.test('PageSize bounds', async () => {
    assert.equal((await rawList(server, acct, '?PageSize=1')).body.services.length, 1);
    assert.equal((await rawList(server, acct, '?PageSize=1000')).body.services.length, 7);
    for (const bad of ['0', '1001', '-1', 'ten', '']) {
      const { status, body } = await rawList(server, acct, `?PageSize=${bad}`);
      assert.equal(status, 400, `PageSize=${bad}`);
      assert.deepEqual(body, { code: 60200, message: 'Invalid parameter: PageSize', more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });
    }
    await assert.rejects(acct.client.verify.v2.services.page({ pageSize: 1001 }), (err: unknown) => {
      assert.ok(err instanceof twilio.RestException);
      return err.status === 400 && err.code === 60200;
    });
  });

  await t.test('a bad Page or PageToken is a 400', async () => {
    const { status, body } = await rawList(server, acct, '?Page=-1');
    assert.equal(status, 400);
    assert.equal(body.code, 60200);
    const garbage = ['garbage', 'PA!!!', 'PA' + Buffer.from('nonsense').toString('base64url'), 'PA' + Buffer.from(`12:${'VA' + 'z'.repeat(32)}`).toString('base64url')];
    for (const token of garbage) {
      const r = await rawList(server, acct, `?PageToken=${encodeURIComponent(token)}`);
      assert.equal(r.status, 400, token);
      assert.deepEqual(r.body, { code: 60200, message: 'Invalid parameter: PageToken', more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });
    }
  });
}, CLOCK);

onEachBackend('the SDK walks seven services in pages of two', async (t, server, clock) => {
  const acct = await server.account();
  const sids = await createSeven(acct, clock, 1000);
  const services = acct.client.verify.v2.services;

  await t.test('list()', async () => {
    assert.deepEqual((await services.list()).map((s) => s.sid), sids);
    assert.deepEqual((await services.list({ pageSize: 2 })).map((s) => s.sid), sids);
    assert.deepEqual((await services.list({ pageSize: 2, limit: 5 })).map((s) => s.sid), sids.slice(0, 5));
  });

  await t.test('each()', async () => {
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      services.each({
        pageSize: 2,
        callback: (item) => void seen.push(item.sid),
        done: (err?: Error) => (err ? reject(err) : resolve()),
      });
    });
    assert.deepEqual(seen, sids);
  });

  await t.test('page() and nextPage()', async () => {
    const pages = await walk(await services.page({ pageSize: 2 }));
    assert.deepEqual(pages, [sids.slice(0, 2), sids.slice(2, 4), sids.slice(4, 6), sids.slice(6)]);
  });

  await t.test('previousPage() goes back', async () => {
    const first = await services.page({ pageSize: 2 });
    const second = await first.nextPage();
    assert.ok(second);
    const back = await second.previousPage();
    assert.ok(back);
    assert.deepEqual(back.instances.map((s) => s.sid), sids.slice(0, 2));
    assert.equal(await first.previousPage(), undefined);
  });

  await t.test('page() with the PageToken from next_page_url', async () => {
    const first = await services.page({ pageSize: 2 });
    const token = new URL(first.nextPageUrl ?? '').searchParams.get('PageToken');
    assert.ok(token);
    const second = await services.page({ pageSize: 2, pageNumber: 1, pageToken: token });
    assert.deepEqual(second.instances.map((s) => s.sid), sids.slice(2, 4));
  });

  await t.test('a service deleted behind the cursor does not shift later pages', async () => {
    const first = await services.page({ pageSize: 2 });
    assert.equal(await services(sids[0]!).remove(), true);
    const second = await first.nextPage();
    assert.deepEqual(second?.instances.map((s) => s.sid), sids.slice(2, 4));
  });
}, CLOCK);

onEachBackend('services created in the same millisecond page each exactly once', async (_t, server, clock) => {
  const acct = await server.account();
  const sids = await createSeven(acct, clock, 0);
  const pages = await walk(await acct.client.verify.v2.services.page({ pageSize: 2 }));
  assert.deepEqual(pages.map((p) => p.length), [2, 2, 2, 1]);
  // Ties on date_created are broken by SID.
  assert.deepEqual(pages.flat(), [...sids].sort());
}, CLOCK);

onEachBackend('previous pages by PB token: after deletions, past the start, bad tokens', async (t, server, clock) => {
  const acct = await server.account();
  const sids = await createSeven(acct, clock, 0); // all in one millisecond: the sid breaks the tie
  const ordered = [...sids].sort();
  const names = (body: { services: Array<{ sid: string }> }) => body.services.map((s) => s.sid);

  await t.test('a backward page says there is nothing before it by itself, whatever its page number', async () => {
    const last = await rawList(server, acct, '?PageSize=2&Page=3');
    assert.deepEqual(names(last.body), ordered.slice(6));
    const previous = onServer(server, last.body.meta.previous_page_url);
    // Everything but the two rows just before the last page goes.
    for (const sid of ordered.slice(0, 4)) await acct.client.verify.v2.services(sid).remove();
    const back = await rawList(server, acct, previous.slice('/v2/Services'.length));
    assert.deepEqual(names(back.body), ordered.slice(4, 6));
    assert.equal(back.body.meta.page, 2);
    assert.equal(back.body.meta.previous_page_url, null, 'no rows before it, though its Page is 2');
    const forward = await rawList(server, acct, onServer(server, back.body.meta.next_page_url).slice('/v2/Services'.length));
    assert.deepEqual(names(forward.body), ordered.slice(6));
  });

  await t.test('a backward page that is short or empty never points at rows already seen', async () => {
    const all = names((await rawList(server, acct, '')).body);
    assert.deepEqual(all, ordered.slice(4));
    // Page 1's PB link reads back to the first row.
    const p1 = await rawList(server, acct, '?PageSize=1&Page=1');
    const toFirst = await rawList(server, acct, onServer(server, p1.body.meta.previous_page_url).slice('/v2/Services'.length));
    assert.deepEqual(names(toFirst.body), all.slice(0, 1));
    assert.equal(toFirst.body.meta.previous_page_url, null);
    // Delete that first row: reading back from the second now finds nothing; the page leads to the start.
    await acct.client.verify.v2.services(all[0]!).remove();
    const empty = await rawList(server, acct, onServer(server, p1.body.meta.previous_page_url).slice('/v2/Services'.length));
    assert.deepEqual(empty.body.services, []);
    assert.equal(empty.body.meta.previous_page_url, null);
    assert.equal(empty.body.meta.next_page_url, `${server.baseUrl}/v2/Services?PageSize=1&Page=0`);
  });

  await t.test('a malformed PB token is a 400, and so is one on a list keyed by type', async () => {
    for (const bad of ['PB', 'PBxyz', `PB${Buffer.from('1:nope').toString('base64url')}`]) {
      const { status, body } = await rawList(server, acct, `?PageToken=${bad}`);
      assert.equal(status, 400, bad);
      assert.equal(body.code, 60200, bad);
    }
    const token = `PB${Buffer.from(`1:VA${'0'.repeat(32)}`).toString('base64url')}`;
    const res = await server.fetch(`/v1/Types?PageToken=${token}`, { auth: { user: acct.sid, pass: acct.authToken } });
    assert.equal(res.status, 400);
  });
}, CLOCK);
