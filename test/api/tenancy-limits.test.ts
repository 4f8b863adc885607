/**
 * Length caps on free text and the depth of Page= offsets (issue 14), through the official SDK on
 * both backends: a Description past 255 characters answers 20001 on sinks and subscriptions, the
 * services' free-text fields answer 60200 past their caps, and Page alone reads at most 10000 rows
 * deep (60200 on /v2, 20001 on /v1) while a PageToken reads at any page number.
 */
import assert from 'node:assert/strict';
import { T } from '../support/events.js';
import { hasError } from '../support/assertions.js';
import { onEachBackend } from '../support/server.js';

const WEBHOOK = { destination: 'http://127.0.0.1:9/h', method: 'POST', batch_events: false };
const long = (n: number) => 'd'.repeat(n);
const describedTooLong = hasError(400, 20001, (m) => assert.equal(m, 'Invalid parameter Description: must be at most 255 characters'));

onEachBackend('sink and subscription Descriptions: 255 characters at most, on create and update (20001)', async (_t, server) => {
  const { events } = (await server.account()).client;
  await assert.rejects(events.v1.sinks.create({ description: long(256), sinkType: 'webhook', sinkConfiguration: WEBHOOK }), describedTooLong);
  const sink = await events.v1.sinks.create({ description: long(255), sinkType: 'webhook', sinkConfiguration: WEBHOOK });
  await assert.rejects(events.v1.sinks(sink.sid).update({ description: long(256) }), describedTooLong);
  // Characters, not UTF-16 units: 255 emoji fit.
  assert.equal((await events.v1.sinks(sink.sid).update({ description: '🙂'.repeat(255) })).description, '🙂'.repeat(255));

  const types = [{ type: T.pending, schema_version: 2 }];
  await assert.rejects(events.v1.subscriptions.create({ description: long(256), sinkSid: sink.sid, types }), describedTooLong);
  const sub = await events.v1.subscriptions.create({ description: long(255), sinkSid: sink.sid, types });
  await assert.rejects(events.v1.subscriptions(sub.sid).update({ description: long(256) }), describedTooLong);
  assert.equal((await events.v1.sinks.list()).length, 1, 'nothing refused was stored');
});

onEachBackend('service free-text fields have caps (60200), on create and update', async (_t, server) => {
  const services = (await server.account()).client.verify.v2.services;
  const caps: Array<[string, string, number]> = [
    ['TtsName', 'ttsName', 64],
    ['Totp.Issuer', 'totp.issuer', 64],
    ['Whatsapp.From', 'whatsapp.from', 64],
    ['Passkeys.RelyingParty.Id', 'passkeys.relyingParty.id', 253],
    ['Passkeys.RelyingParty.Name', 'passkeys.relyingParty.name', 64],
    ['Passkeys.RelyingParty.Origins', 'passkeys.relyingParty.origins', 2048],
  ];
  const svc = await services.create({ friendlyName: 'Caps', 'totp.issuer': long(64) });
  for (const [param, option, max] of caps) {
    const tooLong = hasError(400, 60200, (m) => assert.equal(m, `${param} is too long (max ${max} characters)`));
    await assert.rejects(services.create({ friendlyName: 'Caps', [option]: long(max + 1) }), tooLong);
    await assert.rejects(services(svc.sid).update({ [option]: long(max + 1) }), tooLong);
  }
  assert.equal((await services.list()).length, 1);
});

onEachBackend('Page alone reads at most 10000 rows deep; a PageToken reads at any page number', async (_t, server) => {
  const acct = await server.account();
  const services = acct.client.verify.v2.services;
  await services.create({ friendlyName: 'First' });
  await services.create({ friendlyName: 'Second' });
  const tooDeep = (code: number) => hasError(400, code, (m) => assert.match(m, /^Invalid parameter Page: .*10000 rows deep; follow next_page_url \(PageToken\)/));

  // 200 pages of 50 are 10000 rows: the deepest offset still read; one page more is refused.
  assert.equal((await services.page({ pageSize: 50, pageNumber: 200 })).instances.length, 0);
  await assert.rejects(services.page({ pageSize: 50, pageNumber: 201 }), tooDeep(60200));
  await assert.rejects(services.page({ pageSize: 1, pageNumber: 10_001 }), tooDeep(60200));

  // The page number that rides with a PageToken is only a label: any depth is fine.
  const first = await services.page({ pageSize: 1 });
  const token = new URL(first.nextPageUrl!).searchParams.get('PageToken')!;
  const deep = await services.page({ pageSize: 1, pageNumber: 1_000_000, pageToken: token });
  assert.deepEqual(deep.instances.map((s) => s.friendlyName), ['Second']);

  // Event Streams lists: 20001, for the keyset lists and the keyed ones (types) alike.
  const { events } = acct.client;
  await assert.rejects(events.v1.sinks.page({ pageSize: 1, pageNumber: 10_001 }), tooDeep(20001));
  await assert.rejects(events.v1.eventTypes.page({ pageSize: 1, pageNumber: 10_001 }), tooDeep(20001));
  const types = await events.v1.eventTypes.page({ pageSize: 1 });
  const typeToken = new URL(types.nextPageUrl!).searchParams.get('PageToken')!;
  assert.equal((await events.v1.eventTypes.page({ pageSize: 1, pageNumber: 1_000_000, pageToken: typeToken })).instances.length, 1);
});
