/**
 * GET /v2/Attempts filters: each alone and in combinations against a data set made at known times
 * (ManualClock), the 400s for bad values, the empty envelope, and account isolation. Both backends.
 */
import assert from 'node:assert/strict';
import type { VerificationAttemptListInstanceOptions } from 'twilio/lib/rest/verify/v2/verificationAttempt.js';
import { sid } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type TestServer } from '../support/server.js';

const START = new Date('2025-04-01T00:00:00Z');
const MIN = 60_000;
const US = '+15017122661';
const US2 = '+15017122662';
const GB = '+447400123456';
const EMAIL = 'user@example.com';

/** What the test knows about each attempt it made, to compute the expected answer of any filter. */
interface Made {
  sid: string;
  created: number;
  to: string;
  country: string | null;
  channel: string;
  service: string;
  verification: string;
  converted: boolean;
}

type Filter = VerificationAttemptListInstanceOptions;

const expected = (made: Made[], f: Filter): string[] =>
  made
    .filter((m) =>
      (f.dateCreatedAfter === undefined || m.created >= f.dateCreatedAfter.getTime()) &&
      (f.dateCreatedBefore === undefined || m.created <= f.dateCreatedBefore.getTime()) &&
      (f['channelData.to'] === undefined || m.to === f['channelData.to']) &&
      (f.country === undefined || m.country === f.country.toUpperCase()) &&
      (f.channel === undefined || m.channel === f.channel) &&
      (f.verifyServiceSid === undefined || m.service === f.verifyServiceSid) &&
      (f.verificationSid === undefined || m.verification === f.verificationSid) &&
      (f.status === undefined || m.converted === (f.status === 'converted')))
    .sort((a, b) => b.created - a.created || (a.sid < b.sid ? 1 : -1))
    .map((m) => m.sid);

async function getJson(server: TestServer, acct: Account, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await server.fetch(path, { auth: { user: acct.sid, pass: acct.authToken } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const invalid = (name: string) => ({ code: 60200, message: `Invalid parameter: ${name}`, more_info: 'https://www.twilio.com/docs/errors/60200', status: 400 });

onEachBackend('attempts: list filters', async (t, server, clock) => {
  // One account, two services, six attempts a minute apart; another account's attempts alongside.
  const { acct, svc: a, api: apiA } = await setup(server);
  const { svc: b, api: apiB } = await setup(server, { friendlyName: 'Beta' }, acct);
  const made: Made[] = [];
  const start = async (api: typeof apiA, service: string, to: string, channel: 'sms' | 'call' | 'email' | 'whatsapp', country: string | null) => {
    const v = await api.verifications.create({ to, channel });
    const vl = v.sendCodeAttempts.at(-1)?.attempt_sid as string;
    made.push({ sid: vl, created: clock.now().getTime(), to: v.to, country, channel, service: service, verification: v.sid, converted: false });
    clock.advance(MIN);
    return v;
  };
  const v1 = await start(apiA, a.sid, US, 'sms', 'US'); // 00:00
  await start(apiA, a.sid, US, 'call', 'US'); // 00:01, a resend of v1
  const v3 = await start(apiA, a.sid, GB, 'sms', 'GB'); // 00:02
  const v3code = (await server.latestMessage(acct, GB)).code;
  await start(apiA, a.sid, EMAIL, 'email', null); // 00:03
  await start(apiB, b.sid, GB, 'whatsapp', 'GB'); // 00:04
  const v6 = await start(apiB, b.sid, US2, 'sms', 'US'); // 00:05
  // v3 approved by a check, v6 by Status=approved: every attempt of each is converted.
  assert.equal((await apiA.verificationChecks.create({ to: GB, code: v3code })).status, 'approved');
  await apiB.verifications(v6.sid).update({ status: 'approved' });
  for (const m of made) m.converted = m.verification === v3.sid || m.verification === v6.sid;
  const other = await setup(server);
  const otherV = await other.api.verifications.create({ to: US, channel: 'sms' });
  await other.api.verifications.create({ to: GB, channel: 'whatsapp' });

  const at = (minutes: number) => new Date(START.getTime() + minutes * MIN);
  const list = async (f: Filter) => (await acct.client.verify.v2.verificationAttempts.list(f)).map((x) => x.sid);

  await t.test('no filter: every attempt of the account, newest first, none of the other account\'s', async () => {
    assert.deepEqual(await list({}), expected(made, {}));
    assert.equal((await list({})).length, 6);
    assert.deepEqual((await other.acct.client.verify.v2.verificationAttempts.list({})).length, 2);
  });

  await t.test('each filter alone', async () => {
    const cases: Filter[] = [
      { dateCreatedAfter: at(2.5) }, { dateCreatedAfter: at(-10) }, { dateCreatedAfter: at(10) },
      { dateCreatedBefore: at(2.5) }, { dateCreatedBefore: at(-1) }, { dateCreatedBefore: at(10) },
      { 'channelData.to': US }, { 'channelData.to': GB }, { 'channelData.to': EMAIL }, { 'channelData.to': '+19999999999' },
      { country: 'US' }, { country: 'GB' }, { country: 'gb' }, { country: 'CO' },
      { channel: 'sms' }, { channel: 'call' }, { channel: 'email' }, { channel: 'whatsapp' }, { channel: 'rbm' },
      { verifyServiceSid: a.sid }, { verifyServiceSid: b.sid }, { verifyServiceSid: other.svc.sid },
      { verificationSid: v1.sid }, { verificationSid: v3.sid }, { verificationSid: sid('VE', 'a') },
      { status: 'converted' }, { status: 'unconverted' },
    ];
    for (const f of cases) {
      const want = expected(made, f);
      assert.deepEqual(await list(f), want, JSON.stringify(f));
    }
    // Sanity of the data set itself: the filters above are not all trivially empty or full.
    assert.equal(expected(made, { verificationSid: v1.sid }).length, 2);
    assert.equal(expected(made, { status: 'converted' }).length, 2);
    assert.equal(expected(made, { country: 'gb' }).length, 2);
  });

  await t.test('filters in combination', async () => {
    const cases: Filter[] = [
      { dateCreatedAfter: at(0.5), dateCreatedBefore: at(3.5) },
      { dateCreatedAfter: at(3.5), dateCreatedBefore: at(0.5) },
      { country: 'US', channel: 'sms' },
      { country: 'US', channel: 'sms', status: 'converted' },
      { country: 'GB', verifyServiceSid: b.sid },
      { channel: 'sms', verifyServiceSid: a.sid, status: 'unconverted' },
      { 'channelData.to': US, channel: 'call' },
      { 'channelData.to': US, verificationSid: v1.sid, dateCreatedAfter: at(0.5) },
      { verificationSid: v1.sid, verifyServiceSid: b.sid },
      { status: 'converted', dateCreatedBefore: at(4.5) },
      { status: 'unconverted', country: 'GB', channel: 'whatsapp', verifyServiceSid: b.sid, dateCreatedAfter: at(3.5), dateCreatedBefore: at(4.5) },
    ];
    for (const f of cases) assert.deepEqual(await list(f), expected(made, f), JSON.stringify(f));
    assert.equal(expected(made, cases[0] as Filter).length, 3);
    assert.equal(expected(made, cases.at(-1) as Filter).length, 1);
  });

  await t.test('dates: fractions and offsets are ISO 8601 too', async () => {
    // 00:01:30+01:00 is 23:01:30Z the day before: everything is after it.
    const q = (s: string) => getJson(server, acct, `/v2/Attempts?${s}`).then((r) => (r.body.attempts as Array<{ sid: string }>).map((x) => x.sid));
    assert.deepEqual(await q('DateCreatedAfter=2025-04-01T00:02:30.5Z'), expected(made, { dateCreatedAfter: at(2.5) }));
    assert.deepEqual(await q(`DateCreatedAfter=${encodeURIComponent('2025-04-01T01:02:30+01:00')}`), expected(made, { dateCreatedAfter: at(2.5) }));
    assert.deepEqual(await q(`DateCreatedBefore=${encodeURIComponent('2025-03-31T19:02:30-05:00')}`), expected(made, { dateCreatedBefore: at(2.5) }));
    // A leap day and a month's last day exist.
    assert.deepEqual(await q('DateCreatedAfter=2024-02-29T00:00:00Z&DateCreatedBefore=2025-04-30T23:59:59Z'), expected(made, {}));
  });

  await t.test('bad values: 400 60200 naming the parameter, in Twilio\'s error shape', async () => {
    const bad: Array<[string, string, string]> = [
      ['Channel', 'sna', 'Channel'], ['Channel', 'SMS', 'Channel'], ['Channel', 'voice', 'Channel'], ['Channel', '', 'Channel'],
      ['Status', 'approved', 'Status'], ['Status', 'CONVERTED', 'Status'], ['Status', '', 'Status'],
      ['DateCreatedAfter', '2025-04-01', 'DateCreatedAfter'], ['DateCreatedAfter', 'yesterday', 'DateCreatedAfter'],
      ['DateCreatedAfter', '2025-04-01 00:00:00Z', 'DateCreatedAfter'], ['DateCreatedBefore', '2025-13-01T00:00:00Z', 'DateCreatedBefore'],
      ['DateCreatedBefore', '1743465600', 'DateCreatedBefore'], ['DateCreatedAfter', '2025-02-30T00:00:00Z', 'DateCreatedAfter'],
      ['DateCreatedBefore', '2025-04-31T00:00:00Z', 'DateCreatedBefore'], ['DateCreatedAfter', '2025-02-29T00:00:00Z', 'DateCreatedAfter'], ['DateCreatedBefore', '2025-04-01T00:00:00', 'DateCreatedBefore'],
      ['VerifyServiceSid', 'VAnope', 'VerifyServiceSid'], ['VerifyServiceSid', sid('VE', 'a'), 'VerifyServiceSid'], ['VerifyServiceSid', `${a.sid}0`, 'VerifyServiceSid'],
      ['VerificationSid', 'VE123', 'VerificationSid'], ['VerificationSid', sid('VL', 'a'), 'VerificationSid'], ['VerificationSid', 'VE' + 'g'.repeat(32), 'VerificationSid'],
      ['Country', 'USA', 'Country'], ['Country', 'U1', 'Country'], ['Country', '1', 'Country'], ['Country', '', 'Country'],
    ];
    for (const [name, value, named] of bad) {
      const { status, body } = await getJson(server, acct, `/v2/Attempts?${new URLSearchParams({ [name]: value })}`);
      assert.equal(status, 400, `${name}=${value}`);
      assert.deepEqual(body, invalid(named), `${name}=${value}`);
    }
    // The SDK surfaces the same error.
    await assert.rejects(acct.client.verify.v2.verificationAttempts.list({ channel: 'sna' as 'sms' }), (err: { status: number; code: number; message: string }) => {
      assert.deepEqual([err.status, err.code, err.message], [400, 60200, 'Invalid parameter: Channel']);
      return true;
    });
  });

  await t.test('no match: an empty list in the seed\'s envelope, on the server\'s base', async () => {
    const fresh = await server.account();
    const { status, body } = await getJson(server, fresh, '/v2/Attempts');
    assert.equal(status, 200);
    const plain = `${server.baseUrl}/v2/Attempts?PageSize=50&Page=0`;
    assert.deepEqual(body, {
      attempts: [],
      meta: { key: 'attempts', page: 0, page_size: 50, first_page_url: plain, previous_page_url: null, url: plain, next_page_url: null },
    });
    assert.deepEqual(await fresh.client.verify.v2.verificationAttempts.list({ limit: 20 }), []);
    // A filter matching nothing in this account (another account's verification): empty, the filter kept in the URLs.
    const vOther = otherV.sid;
    const r = await getJson(server, acct, `/v2/Attempts?VerificationSid=${vOther}`);
    const filtered = `${server.baseUrl}/v2/Attempts?VerificationSid=${vOther}&PageSize=50&Page=0`;
    assert.deepEqual(r.body, {
      attempts: [],
      meta: { key: 'attempts', page: 0, page_size: 50, first_page_url: filtered, previous_page_url: null, url: filtered, next_page_url: null },
    });
  });

  await t.test('isolation: another account\'s sids as filters find nothing; an API key sees its account\'s', async () => {
    const theirs = await other.acct.client.verify.v2.verificationAttempts.list({});
    assert.equal(theirs.length, 2);
    assert.deepEqual(await list({ verificationSid: theirs[0]?.verificationSid }), []);
    assert.deepEqual(await list({ verifyServiceSid: other.svc.sid }), []);
    assert.ok(theirs.every((x) => x.accountSid === other.acct.sid));
    const viaKey = await (await server.apiKeyClient(acct.sid)).verify.v2.verificationAttempts.list({});
    assert.deepEqual(viaKey.map((x) => x.sid), expected(made, {}));
    assert.ok(viaKey.every((x) => x.accountSid === acct.sid));
  });
}, { start: START, attemptsRatePerMinute: 1_000_000 });
