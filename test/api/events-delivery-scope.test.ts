/**
 * Event Streams webhook delivery, what is not sent: services without
 * verify_event_subscription_enabled, types the subscription leaves out, other accounts' sinks,
 * and changes that did not commit. "Nothing arrived" alone proves little (it may be late), so each
 * test also reads the outbox table (nothing was written) and ends with an event that must arrive,
 * which shows the sink was live all along. Both backends, system clock.
 */
import assert from 'node:assert/strict';
import { transition } from '../../src/domain/verification/transition.js';
import { rejectsWith } from '../support/assertions.js';
import { T, assertSigned, outbox, signatureValid, subscribeWebhook } from '../support/events.js';
import { Receiver } from '../support/receiver.js';
import { onEachBackend, setup } from '../support/server.js';

const US = '+15017122661';
const US2 = '+15017122662';

onEachBackend('event delivery: what is not sent', async (t, server) => {
  await t.test('a service without verify_event_subscription_enabled emits nothing', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const quiet = await setup(server); // the flag defaults to false
    const { acct } = quiet;
    const loud = await setup(server, { verifyEventSubscriptionEnabled: true }, acct);
    await subscribeWebhook(acct, receiver.url());

    // Every kind of status change on the quiet service.
    const v = await quiet.api.verifications.create({ to: US, channel: 'sms' });
    await quiet.api.verificationChecks.create({ to: US, code: (await server.latestMessage(acct, US)).code });
    await quiet.api.verifications.create({ to: US2, channel: 'sms' });
    await quiet.api.verifications(US2).update({ status: 'canceled' });
    assert.deepEqual(await outbox(server, acct.sid), [], 'nothing written to the outbox');

    // The same account's other service, with the flag, is delivered to the same sink.
    const w = await loud.api.verifications.create({ to: US, channel: 'sms' });
    const [event] = await receiver.waitForCount(1);
    assert.equal(event!.data.verification_sid, w.sid);
    assert.equal(receiver.received.length, 1);
    assert.ok(!receiver.received.some((e) => e.data.verification_sid === v.sid));
    assert.deepEqual((await outbox(server, acct.sid)).map((e) => e.id), [event!.id]);

    // Turning the flag on later starts the events from then on.
    await acct.client.verify.v2.services(quiet.svc.sid).update({ verifyEventSubscriptionEnabled: true });
    await quiet.api.verifications.create({ to: '+15017122663', channel: 'sms' });
    await receiver.waitForCount(2);
    assert.equal(receiver.acknowledged[1]!.data.service_sid, quiet.svc.sid);
  });

  await t.test('only the subscribed types reach a sink', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url('/approved'), { types: [T.approved] });
    await subscribeWebhook(acct, receiver.url('/ended'), { types: [T.canceled, T.expired] });

    const v = await api.verifications.create({ to: US, channel: 'sms' });
    await api.verificationChecks.create({ to: US, code: (await server.latestMessage(acct, US)).code });
    await api.verifications.create({ to: US2, channel: 'sms' });
    await api.verifications(US2).update({ status: 'canceled' });
    await receiver.waitForCount(2);

    // Pending is subscribed by nobody: not even written.
    assert.deepEqual((await outbox(server, acct.sid)).map((e) => e.type).sort(), [T.approved, T.canceled]);
    const byPath = (p: string) => receiver.requests.filter((r) => r.url.startsWith(`${p}?`)).flatMap((r) => r.events!);
    assert.deepEqual(byPath('/approved').map((e) => [e.type, e.data.verification_sid]), [[T.approved, v.sid]]);
    assert.deepEqual(byPath('/ended').map((e) => e.type), [T.canceled]);
    assert.equal(receiver.requests.length, 2);
  });

  await t.test("a sink never receives another account's events; each is signed with its own account's token", async (t) => {
    const [ra, rb] = [await Receiver.start(), await Receiver.start()];
    t.after(() => Promise.all([ra.close(), rb.close()]));
    const a = await setup(server, { verifyEventSubscriptionEnabled: true });
    const b = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(a.acct, ra.url());
    await subscribeWebhook(b.acct, rb.url());

    // The same destination number in both accounts.
    await a.api.verifications.create({ to: US, channel: 'sms' });
    await b.api.verifications.create({ to: US, channel: 'sms' });
    await a.api.verifications(US).update({ status: 'canceled' });
    await ra.waitForCount(2);
    await rb.waitForCount(1);

    assert.ok(ra.received.every((e) => e.data.account_sid === a.acct.sid && e.data.service_sid === a.svc.sid));
    assert.ok(rb.received.every((e) => e.data.account_sid === b.acct.sid && e.data.service_sid === b.svc.sid));
    assert.deepEqual(rb.received.map((e) => e.type), [T.pending]);
    assertSigned(ra, a.acct.authToken);
    assertSigned(rb, b.acct.authToken);
    assert.ok(ra.requests.every((r) => !signatureValid(b.acct.authToken, r)));
    assert.ok(rb.requests.every((r) => !signatureValid(a.acct.authToken, r)));
    assert.equal((await outbox(server, b.acct.sid)).length, 1);
  });

  await t.test('a change that does not commit writes no event', async (t) => {
    const receiver = await Receiver.start();
    t.after(() => receiver.close());
    const { acct, svc, api } = await setup(server, { verifyEventSubscriptionEnabled: true });
    await subscribeWebhook(acct, receiver.url());

    // Refused starts and checks.
    await rejectsWith(api.verifications.create({ to: 'not a number', channel: 'sms' }), 400, 60200);
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms', customCode: '123456' }), 403, 60204);
    await rejectsWith(api.verificationChecks.create({ to: US, code: '123456' }), 404, 20404);
    await rejectsWith(api.verificationChecks.create({ verificationSid: `VE${'0'.repeat(32)}`, code: '123456' }), 404, 20404);
    await rejectsWith(api.verifications(`VE${'0'.repeat(32)}`).update({ status: 'canceled' }), 404, 20404);
    assert.deepEqual(await outbox(server, acct.sid), []);

    // A real status change rolled back after transition() wrote its event: the event goes with it.
    const v = await api.verifications.create({ to: US, channel: 'sms' });
    await receiver.waitForCount(1);
    await assert.rejects(
      server.stores.verifications.transaction(async (tx) => {
        const service = await tx.getService(svc.sid);
        const locked = await tx.lockBySid(svc.sid, v.sid);
        await transition(tx, service!, locked!, 'canceled', 'update', Date.now());
        throw new Error('rolled back on purpose');
      }),
      /rolled back on purpose/,
    );
    assert.equal((await api.verifications(v.sid).fetch()).status, 'pending', 'the change itself was rolled back');
    assert.deepEqual((await outbox(server, acct.sid)).map((e) => e.type), [T.pending], 'and its event with it');

    // The same change committed does produce the event, and it is the only other one delivered.
    await api.verifications(v.sid).update({ status: 'canceled' });
    await receiver.waitForCount(2);
    assert.deepEqual(receiver.received.map((e) => e.type), [T.pending, T.canceled]);
    assert.deepEqual((await outbox(server, acct.sid)).map((e) => e.type).sort(), [T.canceled, T.pending]);
  });
}, { dispatcher: {} });
