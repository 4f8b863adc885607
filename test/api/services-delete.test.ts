/**
 * Deleting services through the official twilio SDK (and what goes with them), plus concurrent
 * writes to one service, on both backends.
 */
import assert from 'node:assert/strict';
import twilio from 'twilio';
import { hasError, sid } from '../support/assertions.js';
import { onEachBackend } from '../support/server.js';

/** The SDK's RestException for a missing service: status 404, code 20404, the path without /v2. */
function isNotFound(serviceSid: string) {
  return hasError(404, 20404, (message) => assert.equal(message, `The requested resource /Services/${serviceSid} was not found`));
}

onEachBackend('delete', async (t, server) => {
  const acct = await server.account();
  const services = acct.client.verify.v2.services;

  await t.test('remove() is true (204), then fetch/update/remove are 404 20404', async () => {
    const s = await services.create({ friendlyName: 'To Delete' });
    const res = await services(s.sid).removeWithHttpInfo();
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, true);
    await assert.rejects(services(s.sid).fetch(), isNotFound(s.sid));
    await assert.rejects(services(s.sid).update({ friendlyName: 'Back' }), isNotFound(s.sid));
    await assert.rejects(services(s.sid).remove(), isNotFound(s.sid));
    assert.deepEqual((await services.list()).map((x) => x.sid), []);
  });

  await t.test('the raw 204 has no body; the raw 404 is Twilio error JSON', async () => {
    const s = await services.create({ friendlyName: 'Raw Delete' });
    const auth = { user: acct.sid, pass: acct.authToken };
    const del = await server.fetch(`/v2/Services/${s.sid}`, { method: 'DELETE', auth });
    assert.equal(del.status, 204);
    assert.equal(await del.text(), '');
    for (const method of ['GET', 'DELETE']) {
      const res = await server.fetch(`/v2/Services/${s.sid}`, { method, auth });
      assert.equal(res.status, 404);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), {
        code: 20404,
        message: `The requested resource /Services/${s.sid} was not found`,
        more_info: 'https://www.twilio.com/docs/errors/20404',
        status: 404,
      });
    }
  });

  await t.test('an unknown or malformed service SID is a 404', async () => {
    await assert.rejects(services(sid('VA', '0')).fetch(), isNotFound(sid('VA', '0')));
    await assert.rejects(services('VAnot-a-sid').fetch(), isNotFound('VAnot-a-sid'));
    await assert.rejects(services(sid('VE', 'a')).remove(), isNotFound(sid('VE', 'a')));
  });

  await t.test('deleting a service removes its verifications and leaves others alone', async () => {
    const doomed = await services.create({ friendlyName: 'Doomed' });
    const kept = await services.create({ friendlyName: 'Kept' });
    const v1 = await services(doomed.sid).verifications.create({ to: '+15017122661', channel: 'sms' });
    const v2 = await services(kept.sid).verifications.create({ to: '+15017122661', channel: 'sms' });
    assert.ok(await server.stores.verifications.getVerification(doomed.sid, v1.sid));
    assert.ok((await server.stores.verifications.listSends(v1.sid)).length > 0);

    assert.equal(await services(doomed.sid).remove(), true);
    assert.equal(await server.stores.verifications.getVerification(doomed.sid, v1.sid), undefined);
    assert.equal(await server.stores.verifications.getPendingByTo(doomed.sid, '+15017122661'), undefined);
    assert.deepEqual(await server.stores.verifications.listSends(v1.sid), []);
    assert.deepEqual(await server.stores.verifications.listChecks(v1.sid), []);
    assert.deepEqual(await server.stores.verifications.listStatusChanges(v1.sid), []);
    assert.deepEqual(await server.stores.inbox.listInboxMessages(acct.sid, { serviceSid: doomed.sid }, 10), []);
    await assert.rejects(services(doomed.sid).verifications(v1.sid).fetch(), (err: unknown) => {
      assert.ok(err instanceof twilio.RestException);
      return err.status === 404 && err.code === 20404;
    });

    const stillThere = await services(kept.sid).verifications(v2.sid).fetch();
    assert.equal(stillThere.status, 'pending');
    assert.ok(await server.stores.verifications.getVerification(kept.sid, v2.sid));
    assert.equal((await server.stores.inbox.listInboxMessages(acct.sid, { serviceSid: kept.sid }, 10)).length, 1);
  });
});

onEachBackend('concurrent writes to one service', async (t, server) => {
  const acct = await server.account();
  const services = acct.client.verify.v2.services;

  // Store.updateService merges under the row lock, so updates of different fields never overwrite each other.
  await t.test('concurrent updates of different fields all apply', async () => {
    const s = await services.create({ friendlyName: 'Race' });
    const ctx = services(s.sid);
    await Promise.all([
      ctx.update({ lookupEnabled: true }),
      ctx.update({ psd2Enabled: true }),
      ctx.update({ dtmfInputRequired: true }),
      ctx.update({ customCodeEnabled: true }),
      ctx.update({ codeLength: 9 }),
      ctx.update({ ttsName: 'Polly.Joanna' }),
      ctx.update({ 'totp.skew': 2 }),
      ctx.update({ doNotShareWarningEnabled: true }),
    ]);
    const f = await ctx.fetch();
    assert.deepEqual(
      [f.lookupEnabled, f.psd2Enabled, f.dtmfInputRequired, f.customCodeEnabled, f.codeLength, f.ttsName, f.totp.skew, f.doNotShareWarningEnabled],
      [true, true, true, true, 9, 'Polly.Joanna', 2, true],
    );
  });

  await t.test('concurrent deletes: exactly one succeeds', async () => {
    const s = await services.create({ friendlyName: 'Twice' });
    const results = await Promise.allSettled([services(s.sid).remove(), services(s.sid).remove(), services(s.sid).remove()]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) if (r.status === 'rejected') isNotFound(s.sid)(r.reason);
  });

  // Whatever the interleaving, a start racing a delete either lands before it (and is removed with
  // the service) or fails with 404: no verification outlives its service, and nothing answers 500.
  await t.test('a start racing a delete leaves no orphan and never fails with 500', async () => {
    for (let round = 0; round < 20; round++) {
      const s = await services.create({ friendlyName: `Race ${round}` });
      const [start, removal] = await Promise.allSettled([
        services(s.sid).verifications.create({ to: '+15017122661', channel: 'sms' }),
        services(s.sid).remove(),
      ]);
      assert.equal(removal.status, 'fulfilled');
      if (start.status === 'rejected') assert.equal((start.reason as { status: number }).status, 404);
      else assert.equal(await server.stores.verifications.getVerification(s.sid, start.value.sid), undefined, `round ${round}: orphaned verification`);
    }
  });
});
