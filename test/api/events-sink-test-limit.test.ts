/**
 * POST /v1/Sinks/{Sid}/Test is limited to SINK_TESTS_PER_MINUTE per sink: each one makes the
 * dispatcher send a request to a destination the caller chose. Fixed one-minute windows counted in
 * the database (two app instances share them), on a ManualClock, both backends; the Attempts
 * endpoints' limit counts apart.
 */
import assert from 'node:assert/strict';
import { SINK_TESTS_PER_MINUTE } from '../../src/domain/events/sinks.js';
import { hasError } from '../support/assertions.js';
import { outbox } from '../support/events.js';
import { onEachBackend, type Account, type TestServer } from '../support/server.js';

const MIN = 60_000;
const TOO_MANY = { code: 20429, message: 'Too many requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 };
const WEBHOOK = { destination: 'https://hooks.example.com/events', method: 'POST', batch_events: false };

const newSink = async (acct: Account) =>
  (await acct.client.events.v1.sinks.create({ description: 'hook', sinkType: 'webhook', sinkConfiguration: WEBHOOK })).sid;

async function test(server: TestServer, acct: Account, sid: string): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const res = await server.fetch(`/v1/Sinks/${sid}/Test`, { method: 'POST', auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

/** The test events that reached the outbox for the account (one sink each where it is used). */
const queued = async (server: TestServer, acct: Account) => (await outbox(server, acct.sid)).length;

onEachBackend('sinks: Test rate limit', async (t, server, clock) => {
  /** Moves the clock to `offset` ms into the next one-minute window. */
  const toWindow = (offset: number) => clock.advance(MIN - (clock.now().getTime() % MIN) + offset);

  await t.test(`the test after ${SINK_TESTS_PER_MINUTE} in a minute is 429 20429 with Retry-After and queues nothing; a new minute resets`, async () => {
    toWindow(15_000);
    const acct = await server.account();
    const sid = await newSink(acct);
    for (let i = 0; i < SINK_TESTS_PER_MINUTE; i++) assert.equal((await test(server, acct, sid)).status, 201, `test ${i + 1}`);
    const refused = await test(server, acct, sid);
    assert.deepEqual(refused, { status: 429, retryAfter: '45', body: TOO_MANY });
    await assert.rejects(acct.client.events.v1.sinks(sid).sinkTest.create(), hasError(429, 20429));
    assert.equal(await queued(server, acct), SINK_TESTS_PER_MINUTE);
    clock.advance(44_999);
    assert.deepEqual([(await test(server, acct, sid)).retryAfter], ['1'], 'still the same minute');
    clock.advance(1);
    assert.equal((await acct.client.events.v1.sinks(sid).sinkTest.create()).result, 'submitted', 'a new minute');
    assert.equal(await queued(server, acct), SINK_TESTS_PER_MINUTE + 1);
  });

  await t.test('each sink has its own count; another account, the Attempts limit and unknown sinks do not touch it', async () => {
    toWindow(0);
    const acct = await server.account();
    const [one, two] = [await newSink(acct), await newSink(acct)];
    const stranger = await server.account();
    // Another account naming this sink learns 404 and uses none of its tests.
    for (let i = 0; i < SINK_TESTS_PER_MINUTE + 1; i++) assert.equal((await test(server, stranger, one)).status, 404);
    for (let i = 0; i < 5; i++) assert.equal((await server.fetch('/v2/Attempts', { auth: { user: acct.sid, pass: acct.authToken } })).status, 200);
    for (let i = 0; i < SINK_TESTS_PER_MINUTE; i++) assert.equal((await test(server, acct, one)).status, 201);
    assert.equal((await test(server, acct, one)).status, 429);
    for (let i = 0; i < SINK_TESTS_PER_MINUTE; i++) assert.equal((await test(server, acct, two)).status, 201, 'the other sink');
    assert.equal((await test(server, acct, two)).status, 429);
    // The Attempts count is its own: 5 used of ATTEMPTS_RATE_LIMIT_PER_MINUTE (5 here).
    assert.equal((await server.fetch('/v2/Attempts', { auth: { user: acct.sid, pass: acct.authToken } })).status, 429);
  });

  await t.test('two app instances on one database share the count', async () => {
    toWindow(30_000);
    const second = await server.sibling();
    try {
      const acct = await server.account();
      const sid = await newSink(acct);
      for (let i = 0; i < SINK_TESTS_PER_MINUTE; i++) assert.equal((await test(i % 2 ? second : server, acct, sid)).status, 201);
      assert.deepEqual(await test(second, acct, sid), { status: 429, retryAfter: '30', body: TOO_MANY });
      assert.equal((await test(server, acct, sid)).status, 429);
    } finally {
      await second.close();
    }
  });
}, { start: new Date('2024-03-01T12:00:00.000Z'), attemptsRatePerMinute: 5 });
