import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => {
  const s = await startServer('sqlite');
  if ('skip' in s) throw new Error(s.skip);
  server = s;
});
after(() => server.close());

test('the official SDK starts, fetches and checks a verification', async () => {
  const acct = await server.account();
  const service = await acct.client.verify.v2.services.create({ friendlyName: 'Smoke Test' });
  assert.match(service.sid, /^VA[0-9a-f]{32}$/);
  assert.equal(service.codeLength, 6);
  const v = await acct.client.verify.v2.services(service.sid).verifications.create({ to: '+15017122661', channel: 'sms' });
  assert.equal(v.status, 'pending');
  assert.ok(v.dateCreated instanceof Date);
  const fetched = await acct.client.verify.v2.services(service.sid).verifications(v.sid).fetch();
  assert.equal(fetched.sid, v.sid);
  const { code } = await server.latestMessage(acct, '+15017122661');
  const check = await acct.client.verify.v2.services(service.sid).verificationChecks.create({ to: '+15017122661', code });
  assert.equal(check.status, 'approved');
  assert.equal(check.valid, true);
  const services = await acct.client.verify.v2.services.list();
  assert.deepEqual(services.map((s) => s.sid), [service.sid]);
  assert.equal(await acct.client.verify.v2.services(service.sid).remove(), true);
});
