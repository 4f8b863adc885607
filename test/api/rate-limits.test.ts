/**
 * Service Rate Limits and Buckets through the official twilio SDK on both backends: create, list
 * (paged), fetch, update and delete with every field of the spec; Twilio's refusals (60200 for a
 * missing or bad parameter, 60207-60211, 20404 for unknown and other accounts' sids); deleting a
 * rate limit deletes its buckets, deleting a service its rate limits.
 */
import assert from 'node:assert/strict';
import { MAX_BUCKETS_PER_RATE_LIMIT, MAX_RATE_LIMITS_PER_SERVICE } from '../../src/domain/rate-limits/rate-limits.js';
import { hasError, sid } from '../support/assertions.js';
import { onEachBackend, setup } from '../support/server.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

onEachBackend('rate limits API', async (t, server) => {
  await t.test('rate limits: create, fetch, list, update and delete with every field', async () => {
    const { acct, svc, api } = await setup(server);
    const created = await api.rateLimits.create({ uniqueName: 'end_user_ip.v1-a', description: 'Per end-user IP' });
    assert.match(created.sid, /^RK[0-9a-f]{32}$/);
    const url = `${server.baseUrl}/v2/Services/${svc.sid}/RateLimits/${created.sid}`;
    const json = created.toJSON() as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['accountSid', 'dateCreated', 'dateUpdated', 'description', 'links', 'serviceSid', 'sid', 'uniqueName', 'url']);
    assert.deepEqual(
      { serviceSid: created.serviceSid, accountSid: created.accountSid, uniqueName: created.uniqueName, description: created.description, url: created.url, links: created.links },
      { serviceSid: svc.sid, accountSid: acct.sid, uniqueName: 'end_user_ip.v1-a', description: 'Per end-user IP', url, links: { buckets: `${url}/Buckets` } },
    );
    const raw = (await (await server.fetch(`/v2/Services/${svc.sid}/RateLimits/${created.sid}`, { auth: { user: acct.sid, pass: acct.authToken } })).json()) as Record<string, string>;
    assert.match(raw.date_created!, ISO);
    assert.match(raw.date_updated!, ISO);

    const fetched = await api.rateLimits(created.sid).fetch();
    assert.deepEqual(fetched.toJSON(), created.toJSON());
    const noDescription = await api.rateLimits.create({ uniqueName: 'session' });
    assert.equal(noDescription.description, null);

    const updated = await api.rateLimits(created.sid).update({ description: 'Changed' });
    assert.equal(updated.description, 'Changed');
    assert.equal(updated.uniqueName, 'end_user_ip.v1-a');

    const listed = await api.rateLimits.list();
    assert.deepEqual(listed.map((r) => r.sid), [created.sid, noDescription.sid]);

    await api.rateLimits(created.sid).remove();
    await assert.rejects(api.rateLimits(created.sid).fetch(), hasError(404, 20404, (m) => assert.equal(m, `The requested resource /Services/${svc.sid}/RateLimits/${created.sid} was not found`)));
    await assert.rejects(api.rateLimits(created.sid).remove(), hasError(404, 20404));
    await assert.rejects(api.rateLimits(created.sid).update({ description: 'x' }), hasError(404, 20404));
  });

  await t.test('rate limits: paged as the rest of the API', async () => {
    const { api } = await setup(server);
    const sids: string[] = [];
    for (let i = 0; i < 5; i++) sids.push((await api.rateLimits.create({ uniqueName: `limit_${i}` })).sid);
    const page = await api.rateLimits.page({ pageSize: 2 });
    assert.deepEqual(page.instances.map((r) => r.sid), sids.slice(0, 2));
    const next = await page.nextPage();
    assert.deepEqual(next!.instances.map((r) => r.sid), sids.slice(2, 4));
    const back = await next!.previousPage();
    assert.deepEqual(back!.instances.map((r) => r.sid), sids.slice(0, 2));
    assert.deepEqual((await api.rateLimits.list({ pageSize: 2 })).map((r) => r.sid), sids);
  });

  await t.test('rate limits: unique_name rules (60200, 60209, 60208) and the per-service limit (60207)', async () => {
    const { api } = await setup(server);
    await assert.rejects(api.rateLimits.create({ uniqueName: '' }), hasError(400, 60200, (m) => assert.equal(m, 'Invalid parameter: UniqueName')));
    for (const bad of ['end user ip', 'ip@addr', 'név', 'a'.repeat(101), 'x/y']) {
      await assert.rejects(api.rateLimits.create({ uniqueName: bad }), hasError(400, 60209, (m) => assert.equal(m, 'UniqueName format is invalid')), bad);
    }
    await assert.rejects(api.rateLimits.create({ uniqueName: 'ok', description: 'd'.repeat(256) }), hasError(400, 60200, (m) => assert.equal(m, 'Invalid parameter: Description')));
    await api.rateLimits.create({ uniqueName: 'a'.repeat(100) });
    await api.rateLimits.create({ uniqueName: 'dup' });
    await assert.rejects(api.rateLimits.create({ uniqueName: 'dup' }), hasError(400, 60208, (m) => assert.equal(m, 'Rate limit with that UniqueName already exists')));
    // Case-sensitive, and per service.
    await api.rateLimits.create({ uniqueName: 'DUP' });
    await (await setup(server)).api.rateLimits.create({ uniqueName: 'dup' });
    for (let i = 3; i < MAX_RATE_LIMITS_PER_SERVICE; i++) await api.rateLimits.create({ uniqueName: `n${i}` });
    await assert.rejects(api.rateLimits.create({ uniqueName: 'one_more' }), hasError(400, 60207, (m) => assert.equal(m, 'Max rate limits per service reached')));
  });

  await t.test('buckets: create, fetch, list, update and delete with every field', async () => {
    const { acct, svc, api } = await setup(server);
    const rl = await api.rateLimits.create({ uniqueName: 'ip' });
    const created = await api.rateLimits(rl.sid).buckets.create({ max: 5, interval: 60 });
    assert.match(created.sid, /^BL[0-9a-f]{32}$/);
    const json = created.toJSON() as Record<string, unknown>;
    assert.deepEqual(Object.keys(json).sort(), ['accountSid', 'dateCreated', 'dateUpdated', 'interval', 'max', 'rateLimitSid', 'serviceSid', 'sid', 'url']);
    assert.deepEqual(
      { rateLimitSid: created.rateLimitSid, serviceSid: created.serviceSid, accountSid: created.accountSid, max: created.max, interval: created.interval, url: created.url },
      { rateLimitSid: rl.sid, serviceSid: svc.sid, accountSid: acct.sid, max: 5, interval: 60, url: `${server.baseUrl}/v2/Services/${svc.sid}/RateLimits/${rl.sid}/Buckets/${created.sid}` },
    );
    assert.deepEqual((await api.rateLimits(rl.sid).buckets(created.sid).fetch()).toJSON(), created.toJSON());
    const hour = await api.rateLimits(rl.sid).buckets.create({ max: 20, interval: 3600 });
    assert.deepEqual((await api.rateLimits(rl.sid).buckets.list()).map((b) => b.sid), [created.sid, hour.sid]);
    const page = await api.rateLimits(rl.sid).buckets.page({ pageSize: 1 });
    assert.deepEqual((await page.nextPage())!.instances.map((b) => b.sid), [hour.sid]);

    const both = await api.rateLimits(rl.sid).buckets(created.sid).update({ max: 7, interval: 120 });
    assert.deepEqual([both.max, both.interval], [7, 120]);
    const maxOnly = await api.rateLimits(rl.sid).buckets(created.sid).update({ max: 8 });
    assert.deepEqual([maxOnly.max, maxOnly.interval], [8, 120]);

    await api.rateLimits(rl.sid).buckets(created.sid).remove();
    await assert.rejects(api.rateLimits(rl.sid).buckets(created.sid).fetch(), hasError(404, 20404, (m) => assert.equal(m, `The requested resource /Services/${svc.sid}/RateLimits/${rl.sid}/Buckets/${created.sid} was not found`)));
    await assert.rejects(api.rateLimits(rl.sid).buckets(created.sid).remove(), hasError(404, 20404));
  });

  await t.test('buckets: Max and Interval required and in range (60200), one per interval (60211), a per-rate-limit limit (60210)', async () => {
    const { acct, svc, api } = await setup(server);
    const rl = await api.rateLimits.create({ uniqueName: 'ip' });
    const buckets = api.rateLimits(rl.sid).buckets;
    const post = (body: string) =>
      server.fetch(`/v2/Services/${svc.sid}/RateLimits/${rl.sid}/Buckets`, { method: 'POST', body: new URLSearchParams(body), auth: { user: acct.sid, pass: acct.authToken } });
    for (const [body, param] of [['Interval=60', 'Max'], ['Max=5', 'Interval'], ['Max=0&Interval=60', 'Max'], ['Max=1.5&Interval=60', 'Max'], ['Max=5&Interval=0', 'Interval'], ['Max=5&Interval=2592001', 'Interval'], ['Max=1000001&Interval=60', 'Max'], ['Max=5&Interval=abc', 'Interval']] as const) {
      const res = await post(body);
      assert.equal(res.status, 400, body);
      assert.deepEqual(await res.json(), { code: 60200, message: `Invalid parameter: ${param}`, more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });
    }
    const minute = await buckets.create({ max: 5, interval: 60 });
    await assert.rejects(buckets.create({ max: 9, interval: 60 }), hasError(400, 60211, (m) => assert.equal(m, 'Bucket with the given Interval already exists')));
    const hour = await buckets.create({ max: 9, interval: 3600 });
    await assert.rejects(buckets(hour.sid).update({ interval: 60 }), hasError(400, 60211));
    await assert.rejects(buckets(hour.sid).update({ max: -1 }), hasError(400, 60200));
    for (let i = 2; i < MAX_BUCKETS_PER_RATE_LIMIT; i++) await buckets.create({ max: 1, interval: i });
    await assert.rejects(buckets.create({ max: 1, interval: 999 }), hasError(400, 60210, (m) => assert.equal(m, 'Max Buckets per Rate limit reached')));
    assert.equal((await buckets(minute.sid).fetch()).max, 5);
  });

  await t.test('deleting a rate limit deletes its buckets; deleting a service deletes its rate limits', async () => {
    const { acct, svc, api } = await setup(server);
    const rl = await api.rateLimits.create({ uniqueName: 'ip' });
    const b = await api.rateLimits(rl.sid).buckets.create({ max: 5, interval: 60 });
    await api.rateLimits(rl.sid).remove();
    await assert.rejects(api.rateLimits(rl.sid).buckets(b.sid).fetch(), hasError(404, 20404));
    await assert.rejects(api.rateLimits(rl.sid).buckets.list(), hasError(404, 20404));
    // The name is free again.
    const again = await api.rateLimits.create({ uniqueName: 'ip' });
    assert.deepEqual(await api.rateLimits(again.sid).buckets.list(), []);

    await acct.client.verify.v2.services(svc.sid).remove();
    assert.deepEqual(await server.stores.rateLimits.listRateLimits({ accountSid: acct.sid, serviceSid: svc.sid }, { offset: 0, limit: 10 }), []);
    await assert.rejects(api.rateLimits.list(), hasError(404, 20404));
    await assert.rejects(api.rateLimits(again.sid).fetch(), hasError(404, 20404));
  });

  await t.test('another account, a malformed or unknown sid: 404 20404 on every route, nothing changed', async () => {
    const { api, svc } = await setup(server);
    const rl = await api.rateLimits.create({ uniqueName: 'ip', description: 'mine' });
    const b = await api.rateLimits(rl.sid).buckets.create({ max: 5, interval: 60 });
    const other = await server.account();
    const theirs = other.client.verify.v2.services(svc.sid);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['create', () => theirs.rateLimits.create({ uniqueName: 'x' })],
      ['list', () => theirs.rateLimits.list()],
      ['fetch', () => theirs.rateLimits(rl.sid).fetch()],
      ['update', () => theirs.rateLimits(rl.sid).update({ description: 'stolen' })],
      ['delete', () => theirs.rateLimits(rl.sid).remove()],
      ['bucket create', () => theirs.rateLimits(rl.sid).buckets.create({ max: 1, interval: 1 })],
      ['bucket list', () => theirs.rateLimits(rl.sid).buckets.list()],
      ['bucket fetch', () => theirs.rateLimits(rl.sid).buckets(b.sid).fetch()],
      ['bucket update', () => theirs.rateLimits(rl.sid).buckets(b.sid).update({ max: 1000 })],
      ['bucket delete', () => theirs.rateLimits(rl.sid).buckets(b.sid).remove()],
    ];
    for (const [name, call] of calls) await assert.rejects(call(), hasError(404, 20404), name);

    // Their own service cannot reach this one's rate limit either.
    const { api: otherApi } = await setup(server, {}, other);
    await assert.rejects(otherApi.rateLimits(rl.sid).fetch(), hasError(404, 20404));
    await assert.rejects(otherApi.rateLimits(rl.sid).buckets(b.sid).fetch(), hasError(404, 20404));
    // Malformed and unknown sids.
    await assert.rejects(api.rateLimits('RKnot-a-sid').fetch(), hasError(404, 20404));
    await assert.rejects(api.rateLimits(sid('BL', 'a')).fetch(), hasError(404, 20404));
    await assert.rejects(api.rateLimits(rl.sid).buckets(sid('RK', 'a')).fetch(), hasError(404, 20404));
    await assert.rejects(api.rateLimits(sid('RK', 'a')).buckets.create({ max: 1, interval: 1 }), hasError(404, 20404));

    assert.equal((await api.rateLimits(rl.sid).fetch()).description, 'mine');
    assert.equal((await api.rateLimits(rl.sid).buckets(b.sid).fetch()).max, 5);
  });
});
