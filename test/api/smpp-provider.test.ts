/**
 * SMS over SMPP 3.4 against a local SMSC (test/support/smsc.ts, the `smpp` package's server side):
 * verifyd composed from a VERIFYD_CONFIG file naming a `type: smpp` provider, starts through the
 * official SDK, attempts read back through it. Receipts (deliver_sm) move the attempt; a refused
 * bind fails the attempt after the send queue's retries; a dropped connection and a throttling
 * SMSC lose and duplicate nothing the SMSC accepted (a throttled message stays one send, the bind
 * pausing); enquire_link keeps a bind alive and one left unanswered makes the provider bind again.
 * SQLite only: the provider has no SQL of its own (its receipts use updateDeliveryStatus, which the
 * store conformance suites cover on both).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setup, startServer, type Account, type TestServer } from '../support/server.js';
import { Smsc } from '../support/smsc.js';
import { until } from '../support/until.js';

const ACCOUNT = { systemId: 'verifyd', password: 's3cret' };
const dir = mkdtempSync(join(tmpdir(), 'verifyd-smpp-'));
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** An SMSC and a verifyd whose sms route is an smpp provider bound to it with `settings` over the defaults. */
async function serverWithSmsc(settings: Record<string, unknown> = {}, password = ACCOUNT.password): Promise<{ server: TestServer; smsc: Smsc }> {
  const smsc = await Smsc.start(ACCOUNT);
  cleanups.push(() => smsc.close());
  const file = join(dir, `config-${smsc.port}.yaml`);
  const provider = { name: 'smsc', type: 'smpp', url: smsc.url, system_id: ACCOUNT.systemId, password: '${SMPP_TEST_PASSWORD}', source_addr: 'Acme', binds: 1, max_per_second: 1000, reconnect_min_ms: 20, reconnect_max_ms: 200, ...settings };
  writeFileSync(file, JSON.stringify({ providers: [provider], routes: { sms: ['smsc'] } }));
  const server = await startServer('sqlite', { configFile: file, env: { SMPP_TEST_PASSWORD: password } });
  if ('skip' in server) throw new Error(server.skip);
  cleanups.push(() => server.close());
  return { server, smsc };
}

async function attempt(acct: Account, verificationSid: string): Promise<Record<string, unknown>> {
  const [a] = await acct.client.verify.v2.verificationAttempts.list({ verificationSid });
  return (a?.channelData ?? {}) as Record<string, unknown>;
}

const statusOf = (acct: Account, vSid: string, status: string) => until(() => attempt(acct, vSid), (c) => c.message_status === status, `attempt ${vSid} ${status}`);

const CODE = /(\d{6})/;

test('an sms start is submitted over SMPP with the right fields, and receipts move its attempt', async () => {
  const { server, smsc } = await serverWithSmsc();
  const { acct, api } = await setup(server);
  const v = await api.verifications.create({ to: '+15017122661', channel: 'sms' });
  await smsc.until(() => smsc.accepted.length === 1, 'one submit_sm');
  const [s] = smsc.accepted;
  assert.deepEqual(smsc.binds, [true]);
  assert.equal(s!.pdu.source_addr, 'Acme');
  assert.equal(s!.pdu.source_addr_ton, 5, 'alphanumeric sender');
  assert.equal(s!.pdu.destination_addr, '15017122661', 'E.164 without its +');
  assert.equal(s!.pdu.dest_addr_ton, 1);
  assert.equal(s!.pdu.dest_addr_npi, 1);
  assert.equal(s!.pdu.registered_delivery, 1);
  assert.equal(s!.pdu.data_coding, 0, 'GSM-7');
  assert.equal(s!.pdu.esm_class, 0, 'no UDH for one part');
  assert.match(s!.text, /^Your Acme verification code is: \d{6}$/);

  const sent = await statusOf(acct, v.sid, 'sent');
  assert.equal(sent.error_code, null);
  // The code in the message approves the verification.
  const check = await api.verificationChecks.create({ to: '+15017122661', code: CODE.exec(s!.text)![1]! });
  assert.equal(check.status, 'approved');

  assert.equal(await smsc.receipt(s!.messageId!, 'DELIVRD'), 0);
  const delivered = await attempt(acct, v.sid);
  assert.equal(delivered.message_status, 'delivered', 'the receipt is recorded before the deliver_sm_resp');

  // TLVs (message_state 5, UNDELIVERABLE) win over the text, and name the error code.
  const v2 = await api.verifications.create({ to: '+15017122662', channel: 'sms' });
  await smsc.until(() => smsc.accepted.length === 2, 'a second submit_sm');
  await statusOf(acct, v2.sid, 'sent');
  assert.equal(await smsc.receipt(smsc.accepted[1]!.messageId!, 'ENROUTE', { tlvs: true, state: 5 }), 0);
  const undelivered = await attempt(acct, v2.sid);
  assert.equal(undelivered.message_status, 'undelivered');
  assert.equal(undelivered.error_code, '30003');
  // A late ENROUTE never moves it back.
  await smsc.receipt(smsc.accepted[1]!.messageId!, 'ENROUTE');
  assert.equal((await attempt(acct, v2.sid)).message_status, 'undelivered');
});

test('a long unicode message is split in UCS-2 parts with a concatenation UDH', async () => {
  const { server, smsc } = await serverWithSmsc();
  const { acct, api } = await setup(server, { doNotShareWarningEnabled: true });
  const v = await api.verifications.create({ to: '+79161234567', channel: 'sms', locale: 'ru', customFriendlyName: 'Служба проверки Acme' });
  await smsc.until(() => smsc.accepted.length === 2, 'two parts');
  const [p1, p2] = smsc.accepted;
  for (const [i, p] of [p1!, p2!].entries()) {
    assert.equal(p.pdu.data_coding, 8, 'UCS-2');
    assert.equal((p.pdu.esm_class as number) & 0x40, 0x40, 'UDHI set');
    assert.equal(p.udh.length, 1);
    const [iei, len, ref, total, seq] = p.udh[0]!;
    assert.deepEqual([iei, len, total, seq], [0x00, 0x03, 2, i + 1]);
    assert.equal(ref, p1!.udh[0]![2], 'one reference for both parts');
  }
  assert.equal([...p1!.text].length, 67);
  const text = p1!.text + p2!.text;
  assert.match(text, /^Ваш код подтверждения Служба проверки Acme: \d{6} Никому не сообщайте/);
  await statusOf(acct, v.sid, 'sent');
  // The first part's id is the attempt's: its receipt moves the attempt, the second part's names nothing.
  await smsc.receipt(p2!.messageId!, 'UNDELIV');
  assert.equal((await attempt(acct, v.sid)).message_status, 'sent');
  await smsc.receipt(p1!.messageId!, 'DELIVRD');
  assert.equal((await attempt(acct, v.sid)).message_status, 'delivered');
});

test('a refused bind (wrong password) fails the attempt after the retries; the start is still 201', async () => {
  const { server, smsc } = await serverWithSmsc({}, 'wrong');
  const { acct, api } = await setup(server);
  const v = await api.verifications.create({ to: '+15017122661', channel: 'sms' });
  assert.equal(v.status, 'pending');
  const failed = await statusOf(acct, v.sid, 'failed');
  assert.equal(failed.error_code, '30008');
  assert.ok(smsc.binds.length >= 1 && smsc.binds.every((b) => !b), 'every bind refused with ESME_RBINDFAIL');
  assert.equal(smsc.received.length, 0, 'nothing submitted');
});

test('the SMSC drops the connection mid-window: the provider reconnects and every message is accepted once', async () => {
  const { server, smsc } = await serverWithSmsc({ window: 2 });
  const { acct, api } = await setup(server);
  smsc.hold = true;
  const tos = Array.from({ length: 6 }, (_, i) => `+1501712267${i}`);
  const vs = await Promise.all(tos.map((to) => api.verifications.create({ to, channel: 'sms' })));
  // The window is full: two submitted and unanswered, four waiting in the provider.
  await smsc.until(() => smsc.held.length === 2, 'a full window');
  assert.equal(smsc.received.length, 2);
  // One is answered (accepted), then the connection is cut before the other's answer.
  smsc.answer(smsc.held[0]!);
  smsc.hold = false;
  smsc.dropAll();
  for (const v of vs) await statusOf(acct, v.sid, 'sent');
  assert.equal(smsc.binds.length, 2, 'bound again');
  const accepted = smsc.accepted.map((s) => s.pdu.destination_addr).sort();
  assert.deepEqual(accepted, tos.map((t) => t.slice(1)).sort(), 'each message accepted exactly once');
  // Only the one that never had an answer was submitted twice.
  assert.equal(smsc.received.length, 7);
});

test('a throttled bind (ESME_RTHROTTLED) slows down instead of failing', async () => {
  const { server, smsc } = await serverWithSmsc({ window: 4 });
  const { acct, api } = await setup(server);
  // The first four submits are throttled, then every third.
  smsc.throttle = (i) => i < 4 || i % 3 === 0;
  const vs = await Promise.all(Array.from({ length: 5 }, (_, i) => api.verifications.create({ to: `+1501712268${i}`, channel: 'sms' })));
  // Wait at the SMSC (the pauses take seconds): polling the Attempts API that long would meet its own rate limit.
  await smsc.until(() => smsc.accepted.length === 5, 'five accepted submit_sm');
  for (const v of vs) await statusOf(acct, v.sid, 'sent');
  assert.ok(smsc.throttled >= 4);
  assert.equal(smsc.accepted.length, 5);
  assert.equal(new Set(smsc.accepted.map((s) => s.pdu.destination_addr)).size, 5);
  // The bind paused and submitted again within one send: had the provider thrown on ESME_RTHROTTLED,
  // the send queue would have retried the job (a second attempt) for each throttled message.
  for (const v of vs) {
    const job = await server.stores.sendJobs.sendJobStatus(v.sendCodeAttempts[0]?.attempt_sid as string);
    assert.equal(job?.state, 'sent');
    assert.equal(job?.attempts, 1, `${v.to}: one dispatcher attempt, throttled submits retried by the bind`);
  }
});

test('enquire_link keeps the bind alive; one left unanswered drops the connection and the provider binds again', async () => {
  // The smallest interval the settings allow (1 s).
  const { server, smsc } = await serverWithSmsc({ enquire_link_seconds: 1 });
  const { acct, api } = await setup(server);
  // The binds connect on the first send.
  const v1 = await api.verifications.create({ to: '+15017122664', channel: 'sms' });
  await statusOf(acct, v1.sid, 'sent');
  const first = smsc.accepted[0]!.session;
  // A second enquire_link on the same connection: the first one's answer was taken (one still unanswered at a tick drops the bind).
  await smsc.until(() => smsc.enquireLinks.length >= 2, 'two enquire_link on the bind');
  assert.ok(smsc.enquireLinks.every((e) => e.session === first && e.answered), 'on the bound connection');
  assert.deepEqual(smsc.binds, [true], 'answered enquire_link keep the bind');

  // The link goes quiet: enquire_link arrive and are never answered, the connection left open by the SMSC.
  smsc.ignoreEnquireLink = true;
  await smsc.until(() => smsc.binds.length === 2, 'a second bind after an unanswered enquire_link');
  smsc.ignoreEnquireLink = false;
  assert.deepEqual(smsc.binds, [true, true]);
  const ignored = smsc.enquireLinks.filter((e) => !e.answered);
  assert.ok(ignored.length >= 1 && ignored.every((e) => e.session === first), 'the unanswered enquire_link were on the first connection');
  assert.ok(first.socket.destroyed, 'the provider closed the connection that stopped answering');

  // The new bind sends, and keeps itself alive the same way.
  const v2 = await api.verifications.create({ to: '+15017122665', channel: 'sms' });
  await statusOf(acct, v2.sid, 'sent');
  const second = smsc.accepted[1]!.session;
  assert.notEqual(second, first);
  await smsc.until(() => smsc.enquireLinks.some((e) => e.session === second && e.answered), 'an enquire_link on the new bind');
  assert.equal(smsc.binds.length, 2, 'answered: no further bind');
});

test('several binds: messages go to the least loaded bind, each within its window', async () => {
  const { server, smsc } = await serverWithSmsc({ binds: 2, window: 1 });
  const { acct, api } = await setup(server);
  smsc.hold = true;
  const vs = await Promise.all(Array.from({ length: 4 }, (_, i) => api.verifications.create({ to: `+1501712269${i}`, channel: 'sms' })));
  await smsc.until(() => smsc.held.length === 2, 'one unanswered submit_sm on each bind');
  assert.deepEqual(smsc.binds, [true, true]);
  assert.notEqual(smsc.held[0]!.session, smsc.held[1]!.session, 'one on each bind');
  assert.equal(smsc.received.length, 2, 'the other two wait for room in a window');
  smsc.hold = false;
  for (const s of [...smsc.held]) smsc.answer(s);
  for (const v of vs) await statusOf(acct, v.sid, 'sent');
  assert.equal(smsc.accepted.length, 4);
  assert.equal(new Set(smsc.accepted.map((s) => s.session)).size, 2);
});

test('a receipt that overtakes the record of the send is applied once the attempt knows its message id', async () => {
  const { server, smsc } = await serverWithSmsc();
  const { acct, api } = await setup(server);
  smsc.receiptOnAccept = true;
  const v = await api.verifications.create({ to: '+15017122663', channel: 'sms' });
  const delivered = await statusOf(acct, v.sid, 'delivered');
  assert.equal(delivered.error_code, null);
  assert.equal(smsc.accepted.length, 1);
});
