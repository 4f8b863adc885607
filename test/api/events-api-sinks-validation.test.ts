/**
 * Every bad sink parameter is a 400 20001 naming the parameter, through the SDK where it can send
 * the request and as a raw form post (to see the exact body), and nothing is stored.
 */
import assert from 'node:assert/strict';
import { hasError } from '../support/assertions.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

const WEBHOOK = { destination: 'https://hooks.example.com/events', method: 'POST', batch_events: false };
const KINESIS = {
  arn: 'arn:aws:kinesis:us-east-1:111111111111:stream/test',
  role_arn: 'arn:aws:iam::111111111111:role/Role',
  external_id: '1234567890',
};

async function rawPost(server: TestServer, acct: Account, path: string, form: Record<string, string>) {
  const res = await server.fetch(path, {
    method: 'POST',
    auth: { user: acct.sid, pass: acct.authToken },
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The 400 20001 body, whose message contains every one of `parts`. */
function assertInvalid(res: { status: number; body: Record<string, unknown> }, parts: string[], what: string) {
  assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'message', 'more_info', 'status'], what);
  assert.equal(res.body.code, 20001, what);
  assert.equal(res.body.status, 400, what);
  assert.equal(res.body.more_info, 'https://www.twilio.com/docs/errors/20001', what);
  for (const part of parts) assert.ok(String(res.body.message).includes(part), `${what}: message ${JSON.stringify(res.body.message)} should contain ${part}`);
}

const json = (v: unknown) => JSON.stringify(v);

/** [title, form fields over a valid webhook sink, what the message must contain] */
type Case = [string, Record<string, string | undefined>, string[]];

const CASES: Case[] = [
  ['Description missing', { Description: undefined }, ['Missing required parameter Description']],
  ['Description empty', { Description: '' }, ['Description']],
  ['Description blank', { Description: '   ' }, ['Description']],
  ['SinkType missing', { SinkType: undefined }, ['Missing required parameter SinkType']],
  ['SinkType segment', { SinkType: 'segment', SinkConfiguration: json({ write_key: 'k' }) }, ['SinkType', 'segment', 'webhook and kinesis']],
  ['SinkType email', { SinkType: 'email' }, ['SinkType', 'email', 'webhook and kinesis']],
  ['SinkType unknown', { SinkType: 'sftp' }, ['SinkType']],
  ['SinkType in the wrong case', { SinkType: 'Webhook' }, ['SinkType']],
  ['SinkConfiguration missing', { SinkConfiguration: undefined }, ['Missing required parameter SinkConfiguration']],
  ['SinkConfiguration not JSON', { SinkConfiguration: 'destination=https://x' }, ['SinkConfiguration', 'JSON object']],
  ['SinkConfiguration a JSON array', { SinkConfiguration: json([WEBHOOK]) }, ['SinkConfiguration', 'JSON object']],
  ['SinkConfiguration a JSON string', { SinkConfiguration: json('https://x') }, ['SinkConfiguration']],
  ['SinkConfiguration null', { SinkConfiguration: 'null' }, ['SinkConfiguration']],
  ['SinkConfiguration a number', { SinkConfiguration: '42' }, ['SinkConfiguration']],
  // webhook
  ['webhook without destination', { SinkConfiguration: json({ method: 'POST' }) }, ['SinkConfiguration.destination', 'required']],
  ['webhook destination empty', { SinkConfiguration: json({ destination: '' }) }, ['SinkConfiguration.destination']],
  ['webhook destination a number', { SinkConfiguration: json({ destination: 42 }) }, ['SinkConfiguration.destination', 'string']],
  ['webhook destination relative', { SinkConfiguration: json({ destination: 'hooks.example.com/events' }) }, ['SinkConfiguration.destination', 'absolute http: or https: URL']],
  ['webhook destination ftp', { SinkConfiguration: json({ destination: 'ftp://hooks.example.com/events' }) }, ['SinkConfiguration.destination']],
  ['webhook destination javascript:', { SinkConfiguration: json({ destination: 'javascript:alert(1)' }) }, ['SinkConfiguration.destination']],
  ['webhook destination with no host', { SinkConfiguration: json({ destination: 'http://' }) }, ['SinkConfiguration.destination']],
  ['webhook destination with a leading blank', { SinkConfiguration: json({ destination: ' https://hooks.example.com' }) }, ['SinkConfiguration.destination']],
  ['webhook destination with a NUL escape', { SinkConfiguration: json({ destination: 'https://hooks.example.com/\u0000' }) }, ['SinkConfiguration.destination']],
  ['webhook method GET', { SinkConfiguration: json({ ...WEBHOOK, method: 'GET' }) }, ['SinkConfiguration.method', 'POST only', 'JSON body']],
  ['webhook method get', { SinkConfiguration: json({ ...WEBHOOK, method: 'get' }) }, ['SinkConfiguration.method', 'POST only']],
  ['webhook method PUT', { SinkConfiguration: json({ ...WEBHOOK, method: 'PUT' }) }, ['SinkConfiguration.method', 'POST']],
  ['webhook method a number', { SinkConfiguration: json({ ...WEBHOOK, method: 1 }) }, ['SinkConfiguration.method']],
  ['webhook batch_events yes', { SinkConfiguration: json({ ...WEBHOOK, batch_events: 'yes' }) }, ['SinkConfiguration.batch_events']],
  ['webhook batch_events 1', { SinkConfiguration: json({ ...WEBHOOK, batch_events: 1 }) }, ['SinkConfiguration.batch_events']],
  ['webhook batch_events null', { SinkConfiguration: json({ ...WEBHOOK, batch_events: null }) }, ['SinkConfiguration.batch_events']],
  ['webhook with an unknown key', { SinkConfiguration: json({ ...WEBHOOK, headers: { a: 'b' } }) }, ['SinkConfiguration', '"headers"', 'destination, method, batch_events']],
  ['webhook with a kinesis configuration', { SinkConfiguration: json(KINESIS) }, ['SinkConfiguration', '"arn"']],
  // kinesis
  ...(
    [
      ['kinesis without arn', { role_arn: KINESIS.role_arn, external_id: 'x' }, ['SinkConfiguration.arn', 'required']],
      ['kinesis arn with a 9-digit account', { ...KINESIS, arn: 'arn:aws:kinesis:us-east-1:111111111:stream/test' }, ['SinkConfiguration.arn', 'arn:aws:kinesis:<region>']],
      ['kinesis arn of another service', { ...KINESIS, arn: 'arn:aws:firehose:us-east-1:111111111111:deliverystream/test' }, ['SinkConfiguration.arn']],
      ['kinesis arn without a stream name', { ...KINESIS, arn: 'arn:aws:kinesis:us-east-1:111111111111:stream/' }, ['SinkConfiguration.arn']],
      ['kinesis arn without a region', { ...KINESIS, arn: 'arn:aws:kinesis::111111111111:stream/test' }, ['SinkConfiguration.arn']],
      ['kinesis arn not a string', { ...KINESIS, arn: ['arn'] }, ['SinkConfiguration.arn', 'string']],
      ['kinesis without role_arn', { arn: KINESIS.arn, external_id: 'x' }, ['SinkConfiguration.role_arn', 'required']],
      ['kinesis role_arn of a user', { ...KINESIS, role_arn: 'arn:aws:iam::111111111111:user/Bob' }, ['SinkConfiguration.role_arn', 'arn:aws:iam::']],
      ['kinesis role_arn with a 9-digit account', { ...KINESIS, role_arn: 'arn:aws:iam::111111111:role/Role' }, ['SinkConfiguration.role_arn']],
      ['kinesis role_arn without a name', { ...KINESIS, role_arn: 'arn:aws:iam::111111111111:role/' }, ['SinkConfiguration.role_arn']],
      ['kinesis without external_id', { arn: KINESIS.arn, role_arn: KINESIS.role_arn }, ['SinkConfiguration.external_id', 'required']],
      ['kinesis external_id empty', { ...KINESIS, external_id: '' }, ['SinkConfiguration.external_id']],
      ['kinesis external_id a number', { ...KINESIS, external_id: 1234567890 }, ['SinkConfiguration.external_id', 'string']],
      ['kinesis external_id too long', { ...KINESIS, external_id: 'x'.repeat(1225) }, ['SinkConfiguration.external_id', '1224']],
      ['kinesis external_id of one character', { ...KINESIS, external_id: 'x' }, ['SinkConfiguration.external_id', 'at least 2']],
      ['kinesis external_id with a space', { ...KINESIS, external_id: 'my id' }, ['SinkConfiguration.external_id', 'what STS accepts']],
      ['kinesis external_id with a non-ASCII letter', { ...KINESIS, external_id: 'identité' }, ['SinkConfiguration.external_id', 'what STS accepts']],
      ['kinesis with an unknown key', { ...KINESIS, region: 'us-east-1' }, ['SinkConfiguration', '"region"']],
      ['kinesis with a webhook configuration', WEBHOOK, ['SinkConfiguration', '"destination"']],
    ] as Array<[string, Record<string, unknown>, string[]]>
  ).map(([title, config, parts]): Case => [title, { SinkType: 'kinesis', SinkConfiguration: json(config) }, parts]),
];

const VALID = { Description: 'A sink', SinkType: 'webhook', SinkConfiguration: json(WEBHOOK) };

const formOf = (overrides: Record<string, string | undefined>): Record<string, string> =>
  Object.fromEntries(Object.entries({ ...VALID, ...overrides }).filter((e): e is [string, string] => e[1] !== undefined));

onEachBackend('create rejects every bad parameter with 400 20001 and stores nothing', async (t, server) => {
  const acct = await server.account();
  const sinks = acct.client.events.v1.sinks;

  for (const [title, overrides, parts] of CASES) {
    await t.test(title, async () => {
      const form = formOf(overrides);
      assertInvalid(await rawPost(server, acct, '/v1/Sinks', form), parts, title);
      // The SDK refuses to send a request without its required parameters; the others go through it.
      if (form.Description !== undefined && form.SinkType !== undefined && form.SinkConfiguration !== undefined) {
        const params = { description: form.Description, sinkType: form.SinkType, sinkConfiguration: form.SinkConfiguration } as never;
        await assert.rejects(sinks.create(params), hasError(400, 20001, (m) => parts.forEach((p) => assert.ok(m.includes(p), `${m} / ${p}`))));
      }
    });
  }

  await t.test('a parameter containing NUL is 400 20001', async () => {
    assertInvalid(await rawPost(server, acct, '/v1/Sinks', { ...VALID, Description: 'a\u0000b' }), ['Description'], 'NUL');
  });

  await t.test('no failed create left a sink behind', async () => {
    assert.deepEqual(await sinks.list(), []);
  });

  await t.test('the valid form itself is accepted', async () => {
    assert.equal((await rawPost(server, acct, '/v1/Sinks', VALID)).status, 201);
    assert.equal((await sinks.list()).length, 1);
  });
});

onEachBackend('update requires a Description and changes nothing when rejected', async (t, server) => {
  const acct = await server.account();
  const sink = await acct.client.events.v1.sinks.create({ description: 'Original', sinkConfiguration: WEBHOOK, sinkType: 'webhook' });
  const path = `/v1/Sinks/${sink.sid}`;
  await t.test('missing, empty or blank', async () => {
    assertInvalid(await rawPost(server, acct, path, {}), ['Missing required parameter Description'], 'missing');
    assertInvalid(await rawPost(server, acct, path, { Description: '' }), ['Description'], 'empty');
    await assert.rejects(acct.client.events.v1.sinks(sink.sid).update({ description: ' ' }), hasError(400, 20001));
  });
  await t.test('SinkConfiguration and SinkType are not updatable: ignored', async () => {
    const res = await rawPost(server, acct, path, { Description: 'New', SinkType: 'kinesis', SinkConfiguration: json(KINESIS) });
    assert.equal(res.status, 200);
    assert.equal(res.body.sink_type, 'webhook');
    assert.deepEqual(res.body.sink_configuration, WEBHOOK);
  });
  await t.test('the sink keeps its data', async () => {
    const s = await acct.client.events.v1.sinks(sink.sid).fetch();
    assert.equal(s.description, 'New');
    assert.deepEqual(s.sinkConfiguration, WEBHOOK);
  });
});

onEachBackend('malformed sink SIDs in the path are 404', async (_t, server) => {
  const acct = await server.account();
  const bad = ['DG123', `DF${'a'.repeat(32)}`, `DG${'z'.repeat(32)}`, `DG${'a'.repeat(33)}`];
  for (const sid of bad) {
    for (const [method, path] of [
      ['GET', `/v1/Sinks/${sid}`],
      ['POST', `/v1/Sinks/${sid}`],
      ['DELETE', `/v1/Sinks/${sid}`],
      ['POST', `/v1/Sinks/${sid}/Test`],
      ['POST', `/v1/Sinks/${sid}/Validate`],
    ] as const) {
      const res = await server.fetch(path, {
        method,
        auth: { user: acct.sid, pass: acct.authToken },
        ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Description=x&TestId=y' } : {}),
      });
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(body.code, 20404);
      assert.equal(body.message, `The requested resource ${path.slice(3)} was not found`);
    }
  }
});

onEachBackend('routes that do not exist', async (_t, server) => {
  const acct = await server.account();
  const auth = { user: acct.sid, pass: acct.authToken };
  const put = await server.fetch('/v1/Sinks', { method: 'PUT', auth });
  assert.equal(put.status, 405);
  assert.equal(((await put.json()) as { code: number }).code, 20004);
  const unknown = await server.fetch('/v1/Schemas', { auth });
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as { message: string }).message, 'The requested resource /Schemas was not found');
  const noAuth = await server.fetch('/v1/Sinks', { auth: null });
  assert.equal(noAuth.status, 401);
  assert.equal(((await noAuth.json()) as { code: number }).code, 20003);
  const json = await server.fetch('/v1/Sinks', { method: 'POST', auth, headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(json.status, 415);
});
