/**
 * Input corruption against every route, on SQLite and on PostgreSQL (whose text type rejects NUL
 * and whose jsonb rejects \u0000, so it is where corrupt input turns into 500s): NUL, lone
 * surrogates, invalid UTF-8, emoji, combining marks, SQL and header injection, huge values, JSON
 * with __proto__. No answer may be a 500 or anything but JSON; every error is exactly Twilio's
 * shape; after every request a sentinel service and pending verification fetch back identical;
 * at the end the sentinel code still approves and Object.prototype is not polluted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer, type Account, type TestServer } from '../support/server.js';
import type { BackendName } from '../support/databases.js';

const enc = encodeURIComponent;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const TO = '+15017122661';

/** Values already percent-encoded: a few byte sequences no string can encode to. */
const EVIL: Array<[string, string]> = [
  ['NUL', enc('\u0000')],
  ['inner NUL', enc('12\u000034')],
  ['lone surrogate', '%ED%A0%80'],
  ['invalid UTF-8 byte', '%FF%FE'],
  ['overlong NUL', '%C0%80'],
  ['truncated UTF-8', '%E2%82'],
  ['bad escape', '%ZZ'],
  ['emoji', enc('😀👍🏽')],
  ['combining marks', enc('e\u0301\u0302\u0303')],
  ['SQL injection', enc("'; DROP TABLE services; --")],
  ['CRLF', enc('x\r\nSet-Cookie: a=b')],
  ['template', enc('${jndi:ldap://x}{{7*7}}')],
  ['path traversal', enc('../../etc/passwd')],
  ['proto JSON', enc('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}')],
  ['JSON with \\u0000', enc('{"k":"\\u0000"}')],
  ['huge', 'x'.repeat(20_000)],
  ['digits', '1234567890'],
  ['empty', ''],
];

for (const backend of ['sqlite', 'postgres'] as BackendName[]) {
  test(`corrupt input on every route leaves stored data intact [${backend}]`, async (t) => {
    const started = await startServer(backend);
    if ('skip' in started) {
      t.skip(started.skip);
      return;
    }
    const server: TestServer = started;
    try {
      await barrage(server);
    } finally {
      await server.close();
    }
  });
}

async function barrage(server: TestServer): Promise<void> {
  const acct: Account = await server.account();
  const authz = { user: acct.sid, pass: acct.authToken };
  const svc = (await acct.client.verify.v2.services.create({ friendlyName: 'Sentinel' })).sid;
  const ve = (await acct.client.verify.v2.services(svc).verifications.create({ to: TO, channel: 'sms' })).sid;
  const scratch = (await acct.client.verify.v2.services.create({ friendlyName: 'Scratch' })).sid;
  const send = (method: string, path: string, body?: string) =>
    server.fetch(path, { method, auth: authz, ...(body === undefined ? {} : { body, headers: FORM }) });
  const snapshot = async () => {
    const parts = await Promise.all([
      send('GET', `/v2/Services/${svc}`),
      send('GET', `/v2/Services/${svc}/Verifications/${ve}`),
      send('GET', `/inbox/messages?To=${enc(TO)}`),
    ]);
    for (const r of parts) assert.equal(r.status, 200, `sentinel readable: ${r.url}`);
    return JSON.stringify(await Promise.all(parts.map((r) => r.json())));
  };
  const baseline = await snapshot();

  let n = 0;
  for (const [name, v] of EVIL) {
    // A fresh number per value, so the send limit (60203) never hides what a value does.
    const other = `+1501712${String(2700 + n++).padStart(4, '0')}`;
    const requests: Array<[string, string, string?]> = [
      ['POST', '/v2/Services', `FriendlyName=${v}`],
      ['GET', `/v2/Services?PageSize=${v}`],
      ['GET', `/v2/Services?PageToken=${v}`],
      ['GET', `/v2/Services?Page=${v}&PageSize=1`],
      ['GET', `/v2/Services/${v}`],
      ['GET', `/v2/Services/${svc}?FriendlyName=${v}`],
      ['POST', `/v2/Services/${scratch}`, `FriendlyName=${v}`],
      ['POST', `/v2/Services/${scratch}`, `TtsName=${v}&Totp.Issuer=${v}&Whatsapp.From=${v}`],
      ['POST', `/v2/Services/${scratch}`, `Passkeys.RelyingParty.Id=${v}&Passkeys.RelyingParty.Origins=${v}`],
      ['POST', `/v2/Services/${scratch}`, `CodeLength=${v}&LookupEnabled=${v}&DefaultTemplateSid=${v}`],
      ['DELETE', `/v2/Services/${v}`],
      ['POST', `/v2/Services/${v}/Verifications`, `To=${enc(other)}&Channel=sms`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${v}&Channel=sms`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${v}&Channel=email`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=${v}`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=sms&CustomFriendlyName=${v}&Locale=${v}`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=sms&Tags=${v}&RateLimits=${v}`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=sms&Tags=${enc('{"k":"')}${v}${enc('"}')}`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=sms&ChannelConfiguration=${v}&TemplateCustomSubstitutions=${v}`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=sms&Amount=${v}&Payee=${v}&DeviceIp=${v}&AppHash=${v}`],
      ['POST', `/v2/Services/${svc}/Verifications`, `To=${enc(other)}&Channel=email&CustomCode=${v}&SendDigits=${v}`],
      ['GET', `/v2/Services/${svc}/Verifications/${v}`],
      ['POST', `/v2/Services/${svc}/Verifications/${v}`, 'Status=canceled'],
      ['POST', `/v2/Services/${svc}/Verifications/${ve}`, `Status=${v}`],
      ['POST', `/v2/Services/${svc}/VerificationCheck`, `To=${v}&Code=123456`],
      ['POST', `/v2/Services/${svc}/VerificationCheck`, `VerificationSid=${v}&Code=123456`],
      ['POST', `/v2/Services/${svc}/VerificationCheck`, `To=${enc(other)}&Code=${v}&Amount=${v}&Payee=${v}&SnaClientToken=${v}`],
      ['GET', `/inbox/messages?To=${v}`],
      ['GET', `/inbox/messages?Channel=${v}&ServiceSid=${v}&PageSize=${v}`],
    ];
    for (const [method, path, body] of requests) {
      const what = `[${name}] ${method} ${path.slice(0, 70)} ${(body ?? '').slice(0, 70)}`;
      const res = await send(method, path, body);
      const text = await res.text();
      assert.ok(res.status < 500, `${what}: got ${res.status} ${text}`);
      if (res.status !== 204) assert.match(res.headers.get('content-type') ?? '', /^application\/json/, what);
      if (res.status >= 400) {
        const err = JSON.parse(text) as Record<string, unknown>;
        assert.deepEqual(Object.keys(err).sort(), ['code', 'message', 'more_info', 'status'], `${what}: ${text}`);
        assert.equal(err.status, res.status, what);
        assert.equal(err.more_info, `https://www.twilio.com/docs/errors/${String(err.code)}`, what);
        assert.doesNotMatch(text, /node_modules|\.ts:\d+|\bat [\w.]+ \(|SQLITE|invalid byte sequence|syntax error/, `${what}: leaks internals`);
      }
      assert.equal(await snapshot(), baseline, `${what}: the sentinel changed`);
    }
  }

  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype polluted');
  const { code } = await server.latestMessage(acct, TO);
  const check = await acct.client.verify.v2.services(svc).verificationChecks.create({ to: TO, code });
  assert.equal(check.status, 'approved');
  assert.equal(check.sid, ve);
}
