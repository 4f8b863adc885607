/**
 * Per-account quotas (issue 14) through the official SDK, both backends: services, sinks and
 * subscriptions stop at ACCOUNT_MAX_* with Twilio's codes, even when the creates arrive at once;
 * another account's count is its own, and a deletion makes room again.
 */
import assert from 'node:assert/strict';
import { T } from '../support/events.js';
import { hasError } from '../support/assertions.js';
import { onEachBackend } from '../support/server.js';

const CAP = 3;
const RACERS = 8;
const env = { ACCOUNT_MAX_SERVICES: String(CAP), ACCOUNT_MAX_SINKS: String(CAP), ACCOUNT_MAX_SUBSCRIPTIONS: String(CAP) };
const WEBHOOK = { destination: 'http://127.0.0.1:9/h', method: 'POST', batch_events: false };

/** Sends every create at once; the ones that went through, and the errors of the others. */
async function race<T>(creates: Array<() => Promise<T>>): Promise<{ made: T[]; errors: unknown[] }> {
  const results = await Promise.allSettled(creates.map((f) => f()));
  return {
    made: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

/** Every error is the SDK's RestException with this status and code, and the message names the cap. */
function allRefused(errors: unknown[], code: number): void {
  assert.equal(errors.length, RACERS - CAP);
  for (const err of errors) hasError(400, code, (m) => assert.match(m, new RegExp(`\\(${CAP}\\)$`)))(err);
}

onEachBackend(
  'services: at most ACCOUNT_MAX_SERVICES per account (21102), however many creates race',
  async (_t, server) => {
    const acct = await server.account();
    const services = acct.client.verify.v2.services;
    const { made, errors } = await race(Array.from({ length: RACERS }, (_, i) => () => services.create({ friendlyName: `Racer ${String.fromCharCode(65 + i)}` })));
    assert.equal(made.length, CAP);
    allRefused(errors, 21102);
    assert.equal((await services.list()).length, CAP);

    const other = await server.account();
    await other.client.verify.v2.services.create({ friendlyName: 'Elsewhere' });
    await services(made[0]!.sid).remove();
    await services.create({ friendlyName: 'After a deletion' });
  },
  { env },
);

onEachBackend(
  'sinks and subscriptions: at most ACCOUNT_MAX_SINKS (91003) and ACCOUNT_MAX_SUBSCRIPTIONS (91100) per account',
  async (_t, server) => {
    const { events } = (await server.account()).client;
    const sinks = await race(Array.from({ length: RACERS }, () => () => events.v1.sinks.create({ description: 'racer', sinkType: 'webhook', sinkConfiguration: WEBHOOK })));
    assert.equal(sinks.made.length, CAP);
    allRefused(sinks.errors, 91003);

    const sinkSid = sinks.made[0]!.sid;
    const subscribe = () => events.v1.subscriptions.create({ description: 'racer', sinkSid, types: [{ type: T.pending, schema_version: 2 }] });
    const subs = await race(Array.from({ length: RACERS }, () => subscribe));
    assert.equal(subs.made.length, CAP);
    allRefused(subs.errors, 91100);
    assert.equal((await events.v1.subscriptions.list()).length, CAP);

    // Deleting a sink takes its subscriptions with it: room for both again.
    await events.v1.sinks(sinkSid).remove();
    const sink = await events.v1.sinks.create({ description: 'after a deletion', sinkType: 'webhook', sinkConfiguration: WEBHOOK });
    await events.v1.subscriptions.create({ description: 'after a deletion', sinkSid: sink.sid, types: [{ type: T.pending, schema_version: 2 }] });
  },
  { env },
);
