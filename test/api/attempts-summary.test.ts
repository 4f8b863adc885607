/**
 * GET /v2/Attempts/Summary: totals and the conversion rate (a string) under each filter and in
 * combination, the exact JSON, bad values, and counting only the caller's account. Both backends.
 */
import assert from 'node:assert/strict';
import type { VerificationAttemptsSummaryContextFetchOptions } from 'twilio/lib/rest/verify/v2/verificationAttemptsSummary.js';
import { sid } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const START = new Date('2025-06-01T10:00:00Z');
const HOUR = 3_600_000;
const US = '+15017122661';
const US2 = '+15017122662';
const GB = '+447400123456';
const CO = '+573003003030';
const EMAIL = 'user@example.com';

type Filter = VerificationAttemptsSummaryContextFetchOptions;

async function getJson(server: TestServer, acct: Account, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

onEachBackend('attempts: summary', async (t, server, clock) => {
  // Service A: US sms (approved by check, 10:00), GB sms (approved by update, 11:00), US2 call (12:00).
  // Service B: email (13:00), CO sms (14:00). Another account: two US attempts, one converted.
  const { acct, svc: a, api: apiA } = await setup(server);
  const { svc: b, api: apiB } = await setup(server, { friendlyName: 'Beta' }, acct);
  await apiA.verifications.create({ to: US, channel: 'sms' });
  assert.equal((await apiA.verificationChecks.create({ to: US, code: (await server.latestMessage(acct, US)).code })).status, 'approved');
  clock.advance(HOUR);
  const gb = await apiA.verifications.create({ to: GB, channel: 'sms' });
  await apiA.verifications(gb.sid).update({ status: 'approved' });
  clock.advance(HOUR);
  await apiA.verifications.create({ to: US2, channel: 'call' });
  clock.advance(HOUR);
  await apiB.verifications.create({ to: EMAIL, channel: 'email' });
  clock.advance(HOUR);
  await apiB.verifications.create({ to: CO, channel: 'sms' });
  clock.advance(HOUR);
  const other = await setup(server);
  const ov = await other.api.verifications.create({ to: US, channel: 'sms' });
  await other.api.verifications(ov.sid).update({ status: 'approved' });
  await other.api.verifications.create({ to: GB, channel: 'sms' });

  const at = (hours: number) => new Date(START.getTime() + hours * HOUR);
  const summary = async (f: Filter) => {
    const s = await acct.client.verify.v2.verificationAttemptsSummary().fetch(f);
    return [s.totalAttempts, s.totalConverted, s.totalUnconverted, s.conversionRatePercentage];
  };

  await t.test('the exact JSON: totals, the percentage as a string, the url on the server\'s base', async () => {
    const { status, body } = await getJson(server, acct, '/v2/Attempts/Summary');
    assert.equal(status, 200);
    assert.deepEqual(body, {
      total_attempts: 5, total_converted: 2, total_unconverted: 3, conversion_rate_percentage: '40', url: `${server.baseUrl}/v2/Attempts/Summary`,
    });
    const s = await acct.client.verify.v2.verificationAttemptsSummary().fetch();
    assert.equal(s.conversionRatePercentage, '40');
    assert.equal(s.url, `${server.baseUrl}/v2/Attempts/Summary`);
  });

  await t.test('each filter alone; 2 of 3 is "66.666666667", none "0", all "100"', async () => {
    const cases: Array<[Filter, unknown[]]> = [
      [{ verifyServiceSid: a.sid }, [3, 2, 1, '66.666666667']],
      [{ verifyServiceSid: b.sid }, [2, 0, 2, '0']],
      [{ verifyServiceSid: other.svc.sid }, [0, 0, 0, '0']],
      [{ dateCreatedAfter: at(1.5) }, [3, 0, 3, '0']],
      [{ dateCreatedAfter: at(0.5) }, [4, 1, 3, '25']],
      [{ dateCreatedBefore: at(1.5) }, [2, 2, 0, '100']],
      [{ dateCreatedBefore: at(-1) }, [0, 0, 0, '0']],
      [{ country: 'US' }, [2, 1, 1, '50']],
      [{ country: 'gb' }, [1, 1, 0, '100']],
      [{ country: 'CO' }, [1, 0, 1, '0']],
      [{ country: 'FR' }, [0, 0, 0, '0']],
      [{ channel: 'sms' }, [3, 2, 1, '66.666666667']],
      [{ channel: 'call' }, [1, 0, 1, '0']],
      [{ channel: 'email' }, [1, 0, 1, '0']],
      [{ channel: 'whatsapp' }, [0, 0, 0, '0']],
      [{ destinationPrefix: '+1' }, [2, 1, 1, '50']],
      [{ destinationPrefix: '+44' }, [1, 1, 0, '100']],
      [{ destinationPrefix: '+447400123456' }, [1, 1, 0, '100']],
      [{ destinationPrefix: '+57' }, [1, 0, 1, '0']],
      [{ destinationPrefix: '+150171226' }, [2, 1, 1, '50']],
      [{ destinationPrefix: '+1501712266' }, [2, 1, 1, '50']],
      [{ destinationPrefix: '+2' }, [0, 0, 0, '0']],
      [{ destinationPrefix: '1' }, [0, 0, 0, '0']],
    ];
    for (const [f, want] of cases) assert.deepEqual(await summary(f), want, JSON.stringify(f));
  });

  await t.test('filters in combination; 1 of 3 is "33.333333333"', async () => {
    const cases: Array<[Filter, unknown[]]> = [
      [{ verifyServiceSid: a.sid, dateCreatedAfter: at(0.5) }, [2, 1, 1, '50']],
      [{ dateCreatedAfter: at(0.5), dateCreatedBefore: at(3.5) }, [3, 1, 2, '33.333333333']],
      [{ dateCreatedAfter: at(3.5), dateCreatedBefore: at(0.5) }, [0, 0, 0, '0']],
      [{ country: 'US', channel: 'sms' }, [1, 1, 0, '100']],
      [{ country: 'US', channel: 'call', verifyServiceSid: a.sid }, [1, 0, 1, '0']],
      [{ destinationPrefix: '+1', dateCreatedAfter: at(0.5) }, [1, 0, 1, '0']],
      [{ destinationPrefix: '+44', country: 'US' }, [0, 0, 0, '0']],
      [{ channel: 'sms', verifyServiceSid: b.sid, destinationPrefix: '+57', dateCreatedBefore: at(5) }, [1, 0, 1, '0']],
    ];
    for (const [f, want] of cases) assert.deepEqual(await summary(f), want, JSON.stringify(f));
  });

  await t.test('the rate with 9 decimals, trailing zeros dropped', async () => {
    // 9 of 11 as in the spec example: "81.818181818"; 9 of 10: "90".
    const { acct: acct2, api } = await setup(server);
    const num = (i: number) => `+1202555${String(1000 + i)}`;
    for (let i = 0; i < 11; i++) {
      const v = await api.verifications.create({ to: num(i), channel: 'sms' });
      if (i < 9) await api.verifications(v.sid).update({ status: 'approved' });
    }
    const s = await acct2.client.verify.v2.verificationAttemptsSummary().fetch();
    assert.deepEqual([s.totalAttempts, s.totalConverted, s.totalUnconverted, s.conversionRatePercentage], [11, 9, 2, '81.818181818']);
    const eight = await acct2.client.verify.v2.verificationAttemptsSummary().fetch({ destinationPrefix: '+1202555100' });
    assert.deepEqual([eight.totalAttempts, eight.conversionRatePercentage], [10, '90']);
  });

  await t.test('only the caller\'s account is counted; an API key counts its account\'s', async () => {
    assert.deepEqual(await summary({ destinationPrefix: '+1' }), [2, 1, 1, '50']);
    const theirs = await other.acct.client.verify.v2.verificationAttemptsSummary().fetch();
    assert.deepEqual([theirs.totalAttempts, theirs.totalConverted, theirs.conversionRatePercentage], [2, 1, '50']);
    const viaKey = await (await server.apiKeyClient(acct.sid)).verify.v2.verificationAttemptsSummary().fetch();
    assert.deepEqual([viaKey.totalAttempts, viaKey.totalConverted], [5, 2]);
    const fresh = await server.account();
    const { body } = await getJson(server, fresh, '/v2/Attempts/Summary');
    assert.deepEqual(body, { total_attempts: 0, total_converted: 0, total_unconverted: 0, conversion_rate_percentage: '0', url: `${server.baseUrl}/v2/Attempts/Summary` });
  });

  await t.test('bad values: 400 60200 naming the parameter', async () => {
    const bad: Array<[string, string]> = [
      ['VerifyServiceSid', 'VA123'], ['VerifyServiceSid', sid('VE', 'a')], ['DateCreatedAfter', '2025-06-01'], ['DateCreatedBefore', 'now'], ['DateCreatedBefore', '2025-06-31T00:00:00Z'],
      ['Country', 'GBR'], ['Country', '44'], ['Channel', 'sna'], ['Channel', 'SMS'],
      ['DestinationPrefix', 'abc'], ['DestinationPrefix', '+'], ['DestinationPrefix', '+1-202'], ['DestinationPrefix', ''], ['DestinationPrefix', '+1234567890123456'],
    ];
    for (const [name, value] of bad) {
      const { status, body } = await getJson(server, acct, `/v2/Attempts/Summary?${new URLSearchParams({ [name]: value })}`);
      assert.equal(status, 400, `${name}=${value}`);
      assert.deepEqual(body, { code: 60200, message: `Invalid parameter: ${name}`, more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 }, `${name}=${value}`);
    }
  });
}, { start: START, attemptsRatePerMinute: 1_000_000 });
