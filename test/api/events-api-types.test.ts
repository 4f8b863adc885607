/**
 * The event type and schema catalog through the official twilio SDK (client.events.v1.eventTypes,
 * .schemas(id), .schemas(id).versions): the five verification status types, their one schema and
 * its version 2, shaped like Twilio's examples, with the SchemaId filter and paging.
 */
import assert from 'node:assert/strict';
import { hasError } from '../support/assertions.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

const P = 'com.twilio.accountsecurity.verify.verification.';
const TYPES = ['approved', 'canceled', 'expired', 'max-attempts-reached', 'pending'].map((s) => P + s);
const SCHEMA = 'AccountSecurity.VerifyEventStreamEvent';
const TYPE_KEYS = ['date_created', 'date_updated', 'description', 'documentation_url', 'links', 'schema_id', 'status', 'type', 'url'];

async function get(server: TestServer, acct: Account, path: string) {
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

onEachBackend('event types', async (t, server) => {
  const acct = await server.account();
  const types = acct.client.events.v1.eventTypes;

  await t.test('the list holds the five status types, ordered, in the example shape', async () => {
    const { status, body } = await get(server, acct, '/v1/Types');
    assert.equal(status, 200);
    assert.equal(body.meta.key, 'types');
    assert.deepEqual(body.types.map((x: { type: string }) => x.type), TYPES);
    for (const x of body.types) {
      assert.deepEqual(Object.keys(x).sort(), TYPE_KEYS);
      assert.equal(x.schema_id, SCHEMA);
      assert.equal(x.status, 'available');
      assert.match(x.description, /^Verify - verification /);
      assert.match(x.date_created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      assert.equal(x.url, `${server.baseUrl}/v1/Types/${x.type}`);
      assert.deepEqual(x.links, { schema: `${server.baseUrl}/v1/Schemas/${SCHEMA}/Versions` });
    }
    assert.deepEqual((await types.list()).map((x) => x.type), TYPES);
  });

  await t.test('fetch one type (SDK and raw), unknown ones are 404', async () => {
    for (const type of TYPES) {
      const x = await types(type).fetch();
      assert.equal(x.type, type);
      assert.equal(x.schemaId, SCHEMA);
      assert.equal((await get(server, acct, `/v1/Types/${type}`)).body.type, type);
    }
    const list = (await get(server, acct, '/v1/Types')).body.types;
    assert.deepEqual((await get(server, acct, `/v1/Types/${TYPES[4]}`)).body, list[4]);
    await assert.rejects(types('com.twilio.messaging.message.delivered').fetch(), hasError(404, 20404, (m) => assert.equal(m, 'The requested resource /Types/com.twilio.messaging.message.delivered was not found')));
    await assert.rejects(types('com.twilio.eventstreams.test-event').fetch(), hasError(404, 20404));
  });

  await t.test('SchemaId filters, and rides along in the page URLs', async () => {
    assert.deepEqual((await types.list({ schemaId: SCHEMA })).map((x) => x.type), TYPES);
    assert.deepEqual(await types.list({ schemaId: 'Messaging.MessageStatus' }), []);
    const { body } = await get(server, acct, '/v1/Types?SchemaId=Messaging.MessageStatus&PageSize=20');
    const first = `${server.baseUrl}/v1/Types?SchemaId=Messaging.MessageStatus&PageSize=20&Page=0`;
    assert.deepEqual(body, { types: [], meta: { page: 0, page_size: 20, first_page_url: first, previous_page_url: null, url: first, next_page_url: null, key: 'types' } });
  });

  await t.test('paging walks every type', async () => {
    assert.deepEqual((await types.list({ pageSize: 2 })).map((x) => x.type), TYPES);
    assert.deepEqual((await types.list({ pageSize: 2, schemaId: SCHEMA })).map((x) => x.type), TYPES);
    const seen: string[] = [];
    await types.each({ pageSize: 1 }, (x) => void seen.push(x.type));
    assert.deepEqual(seen, TYPES);
    const p0 = await get(server, acct, '/v1/Types?PageSize=3');
    assert.equal(p0.body.types.length, 3);
    const next = String(p0.body.meta.next_page_url);
    assert.match(next, /^http:\/\/127\.0\.0\.1:\d+\/v1\/Types\?PageSize=3&Page=1&PageToken=PT/);
    const p1 = await get(server, acct, next.slice(server.baseUrl.length));
    assert.deepEqual(p1.body.types.map((x: { type: string }) => x.type), TYPES.slice(3));
    assert.equal(p1.body.meta.next_page_url, null);
    const bad = await get(server, acct, '/v1/Types?PageSize=0');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 20001);
  });

  await t.test('every account sees the same catalog', async () => {
    const other = await server.account();
    assert.deepEqual((await other.client.events.v1.eventTypes.list()).map((x) => x.type), TYPES);
  });
});

onEachBackend('schemas and schema versions', async (t, server) => {
  const acct = await server.account();
  const schemas = acct.client.events.v1.schemas;

  await t.test('fetch the schema: the example shape', async () => {
    const { status, body } = await get(server, acct, `/v1/Schemas/${SCHEMA}`);
    assert.equal(status, 200);
    const url = `${server.baseUrl}/v1/Schemas/${SCHEMA}`;
    assert.deepEqual(Object.keys(body).sort(), ['id', 'latest_version', 'latest_version_date_created', 'links', 'url']);
    assert.equal(body.id, SCHEMA);
    assert.equal(body.url, url);
    assert.equal(body.latest_version, 2);
    assert.match(body.latest_version_date_created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.deepEqual(body.links, { versions: `${url}/Versions` });
    const s = await schemas(SCHEMA).fetch();
    assert.equal(s.latestVersion, 2);
    assert.equal(s.id, SCHEMA);
  });

  await t.test('list and fetch versions', async () => {
    const { body } = await get(server, acct, `/v1/Schemas/${SCHEMA}/Versions`);
    assert.equal(body.meta.key, 'schema_versions');
    const url = `${server.baseUrl}/v1/Schemas/${SCHEMA}/Versions/2`;
    assert.equal(body.schema_versions.length, 1);
    const v = body.schema_versions[0];
    assert.deepEqual(Object.keys(v).sort(), ['date_created', 'id', 'raw', 'schema_version', 'url']);
    assert.deepEqual({ ...v, date_created: null }, { id: SCHEMA, schema_version: 2, date_created: null, url, raw: `https://events-schemas.twilio.com/${SCHEMA}/2` });
    assert.deepEqual((await get(server, acct, `/v1/Schemas/${SCHEMA}/Versions/2`)).body, v);
    const versions = await schemas(SCHEMA).versions.list();
    assert.deepEqual(versions.map((x) => [x.id, x.schemaVersion, x.raw]), [[SCHEMA, 2, v.raw]]);
    assert.equal((await schemas(SCHEMA).versions(2).fetch()).schemaVersion, 2);
    assert.deepEqual((await schemas(SCHEMA).versions.list({ pageSize: 1 })).map((x) => x.schemaVersion), [2]);
    const paged = await get(server, acct, `/v1/Schemas/${SCHEMA}/Versions?PageSize=1&Page=1`);
    assert.deepEqual(paged.body.schema_versions, []);
  });

  await t.test('unknown schemas and versions are 404', async () => {
    await assert.rejects(schemas('Messaging.MessageStatus').fetch(), hasError(404, 20404, (m) => assert.equal(m, 'The requested resource /Schemas/Messaging.MessageStatus was not found')));
    await assert.rejects(schemas('Messaging.MessageStatus').versions.list(), hasError(404, 20404));
    await assert.rejects(schemas(SCHEMA).versions(1).fetch(), hasError(404, 20404, (m) => assert.equal(m, `The requested resource /Schemas/${SCHEMA}/Versions/1 was not found`)));
    await assert.rejects(schemas(SCHEMA).versions(3).fetch(), hasError(404, 20404));
    for (const path of [`/v1/Schemas/${SCHEMA}/Versions/two`, `/v1/Schemas/${SCHEMA}/Versions/-2`, `/v1/Schemas/${SCHEMA}/Versions/02x`, '/v1/Schemas/x/Versions/2']) {
      const { status, body } = await get(server, acct, path);
      assert.equal(status, 404, path);
      assert.equal(body.code, 20404, path);
    }
  });
});
