/**
 * VERIFYD_CONFIG, read by loadConfig: YAML and JSON, `${NAME}` from the environment, and every
 * problem of a bad file listed at once with where it is, never with a value (it may be a secret).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { INBOX_EVERYWHERE, NO_FILE, withInbox } from '../../src/channels/providers.js';
import { countryOf, DEFAULT_FAILOVER } from '../../src/channels/sender.js';
import type { SmtpSettings } from '../../src/channels/smtp/settings.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const KEY = 'k1:' + 'a'.repeat(64);
const HEX = '0123456789abcdef'.repeat(2);

/** A directory with `files` written in it; returns its path. */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-file-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const load = (path: string, env: Record<string, string> = {}) => loadConfig({ CODE_KEYS: KEY, VERIFYD_CONFIG: path, ...env });

function problems(path: string, env: Record<string, string> = {}): string[] {
  try {
    load(path, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message.split('\n').slice(1).map((l) => l.replace(/^\s+- /, ''));
  }
  assert.fail('no ConfigError');
}

const MAIL = `providers:
  - name: mail
    type: smtp
    url: smtp://user:\${SMTP_PASS}@127.0.0.1:2525
    from: no-reply@example.com
    from_name: Example
routes:
  email: [mail]
`;

test('no VERIFYD_CONFIG: no provider and no route, which sends every channel to the inbox', () => {
  const c = loadConfig({ CODE_KEYS: KEY });
  assert.deepEqual(c.providers, NO_FILE);
  assert.deepEqual(withInbox(c.providers), INBOX_EVERYWHERE);
});

test('a YAML file: the smtp provider with its settings, ${NAME} read from the environment, the other channels to the inbox', () => {
  const dir = folder({ 'verifyd.yaml': MAIL });
  const c = load(join(dir, 'verifyd.yaml'), { SMTP_PASS: 'p@ss:word' });
  const [mail] = c.providers.providers;
  assert.equal(mail?.type, 'smtp');
  const s = mail.settings as SmtpSettings;
  assert.deepEqual(
    { host: s.host, port: s.port, secure: s.secure, auth: s.auth, requireTls: s.requireTls, from: s.from, pool: s.pool, timeoutMs: s.timeoutMs },
    {
      host: '127.0.0.1',
      port: 2525,
      secure: false,
      auth: { user: 'user', pass: 'p@ss:word' },
      requireTls: true,
      from: { address: 'no-reply@example.com', name: 'Example' },
      pool: { maxConnections: 5, maxMessages: 100 },
      timeoutMs: 10_000,
    },
  );
  assert.deepEqual(c.providers.routes, { email: { default: ['mail'] } });
  const all = withInbox(c.providers);
  assert.deepEqual(all.routes, { email: { default: ['mail'] }, sms: { default: ['inbox'] }, call: { default: ['inbox'] }, whatsapp: { default: ['inbox'] } });
});

test('a JSON file; smtps:// is implicit TLS on 465 by default; an inbox provider may be named in routes and takes the unrouted channels', () => {
  const dir = folder({
    'verifyd.json': JSON.stringify({
      providers: [
        { name: 'dev', type: 'inbox' },
        { name: 'mail', type: 'smtp', url: 'smtps://mail.example.com', from: 'a@example.com', pool: { max_connections: 2 } },
      ],
      routes: { email: ['mail', 'dev'], sms: ['dev'] },
    }),
  });
  const c = load(join(dir, 'verifyd.json'));
  const s = c.providers.providers[1]?.settings as SmtpSettings;
  assert.deepEqual([s.host, s.port, s.secure, s.auth, s.pool.maxConnections], ['mail.example.com', 465, true, null, 2]);
  assert.deepEqual(withInbox(c.providers).routes, {
    email: { default: ['mail', 'dev'] },
    sms: { default: ['dev'] },
    call: { default: ['dev'] },
    whatsapp: { default: ['dev'] },
  });
  assert.deepEqual(
    withInbox(c.providers).providers.map((p) => p.name),
    ['dev', 'mail'],
  );
});

test('$${NAME} is the text ${NAME}', () => {
  const dir = folder({ 'v.yaml': MAIL.replace('${SMTP_PASS}', () => '$${NOT_A_VAR}') });
  const s = load(join(dir, 'v.yaml')).providers.providers[0]?.settings as SmtpSettings;
  assert.equal(s.auth?.pass, '${NOT_A_VAR}');
});

test('every problem of a file at once, with the environment\'s, each saying where; no value is repeated', () => {
  const dir = folder({
    'v.yaml': `providers:
  - name: mail
    type: smtp
    url: http://user:hunter2@example.com
    form: no-reply@example.com
    pool: { max_connections: 0 }
  - name: mail
    type: smtp
    url: smtp://\${UNSET_SECRET}@127.0.0.1
    from: not-an-address
    from_name: "Evil\\r\\nBcc: x@example.com"
  - name: sms
    type: carrier-pigeon
  - name: inbox
    type: smtp
    url: smtp://127.0.0.1
    from: a@example.com
routes:
  email: [mail, nobody]
  sms: [mail]
  fax: [mail]
  call: []
version: 2
`,
  });
  const got = problems(join(dir, 'v.yaml'), { PORT: 'eighty', UNSET_SECRET: '' });
  assert.deepEqual(got, [
    'PORT must be an integer between 0 and 65535 (got "eighty")',
    'VERIFYD_CONFIG: providers[1].url: ${UNSET_SECRET} names an environment variable that is not set',
    'VERIFYD_CONFIG: version: is not one of providers, routes, messaging_services, failover, lookup, geo_permissions, pumping_guard',
    'VERIFYD_CONFIG: providers[0].url: must be smtp://[user:pass@]host[:port] or smtps://...',
    'VERIFYD_CONFIG: providers[0].from: is required',
    'VERIFYD_CONFIG: providers[0].pool.max_connections: Too small: expected number to be >=1',
    'VERIFYD_CONFIG: providers[0]: unknown key form',
    'VERIFYD_CONFIG: providers[1].name: mail is already the name of another provider',
    'VERIFYD_CONFIG: providers[1].from: must be an e-mail address',
    'VERIFYD_CONFIG: providers[1].from_name: must be 1 to 100 characters, none of them a control character',
    'VERIFYD_CONFIG: providers[2].type: must be one of inbox, smtp, twilio, whatsapp_cloud, sendgrid, smpp, vonage, http',
    'VERIFYD_CONFIG: providers[3].name: inbox is kept for a provider of type inbox',
    'VERIFYD_CONFIG: routes.email: names nobody, which is not a configured provider',
    'VERIFYD_CONFIG: routes.sms: mail (type smtp) does not carry sms',
    'VERIFYD_CONFIG: routes.fax: is not a channel (sms, call, whatsapp, email)',
    'VERIFYD_CONFIG: routes.call: must be a non-empty list of provider names',
  ]);
  assert.ok(!got.join('\n').includes('hunter2'));
});

test('a file that cannot be read, or is not YAML, says so without quoting it', () => {
  const dir = folder({ 'broken.yaml': 'providers:\n  - name: mail\n    url: "smtp://u:hunter2@h\n  bad: [\n' , 'list.yaml': '- a\n- b\n' });
  assert.deepEqual(problems(join(dir, 'missing.yaml')), ['VERIFYD_CONFIG: cannot be read (ENOENT)']);
  const broken = problems(join(dir, 'broken.yaml'));
  assert.ok(broken.length >= 1 && broken.every((p) => /^VERIFYD_CONFIG: is not valid YAML or JSON \([A-Z_]+( at line \d+)?\)$/.test(p)), broken.join('\n'));
  assert.ok(!broken.join('\n').includes('hunter2'));
  assert.deepEqual(problems(join(dir, 'list.yaml')), ['VERIFYD_CONFIG: must be a mapping with providers and routes']);
});

test('e-mail templates: files of SendGrid\'s id form, compiled at start; every bad one listed, beside the other settings\' problems', () => {
  const good = `d-${HEX}`;
  const dir = folder({
    'v.yaml': `providers:
  - name: mail
    type: smtp
    url: smtp://127.0.0.1/path
    from: a@example.com
    timeout_ms: soon
    templates_dir: mail
    tls: { ca_file: no-such.pem }
`,
    [`mail/${good}.html`]: '<p>{{twilio_code}}</p>{{#if username}}{{username}}{{/if}}',
    [`mail/${good}.txt`]: '{{twilio_code}}',
    [`mail/${good}.json`]: '{"subject": "Code for {{twilio_service_name}}"}',
    'mail/d-123.html': 'short id',
    [`mail/d-${'1'.repeat(32)}.txt`]: 'text without html',
    [`mail/d-${'2'.repeat(32)}.html`]: '{{#if x}}unclosed',
    [`mail/d-${'3'.repeat(32)}.html`]: '{{equals a b}}',
    [`mail/d-${'4'.repeat(32)}.html`]: 'ok',
    [`mail/d-${'4'.repeat(32)}.json`]: '{"subject": "s", "from": "x@example.com"}',
    'mail/README.md': 'not a template: ignored',
  });
  const got = problems(join(dir, 'v.yaml')).sort();
  assert.deepEqual(
    got.map((p) => p.replace(/(Parse error)[^]*$/, '$1').replace(/ - \d+:\d+$/, '')),
    [
      'VERIFYD_CONFIG: providers[0].templates_dir: d-123.html is not named d-<32 lower-case hex digits>.html, .txt or .json',
      `VERIFYD_CONFIG: providers[0].templates_dir: d-${'1'.repeat(32)} has no d-${'1'.repeat(32)}.html`,
      `VERIFYD_CONFIG: providers[0].templates_dir: d-${'2'.repeat(32)}.html: Parse error`,
      `VERIFYD_CONFIG: providers[0].templates_dir: d-${'3'.repeat(32)}.html: You specified knownHelpersOnly, but used the unknown helper equals`,
      `VERIFYD_CONFIG: providers[0].templates_dir: d-${'4'.repeat(32)}.json must be a JSON object with one key, subject (a string)`,
      'VERIFYD_CONFIG: providers[0].tls.ca_file: cannot be read (ENOENT)',
      'VERIFYD_CONFIG: providers[0].url: takes no path or query: settings have their own keys',
      'VERIFYD_CONFIG: providers[0].timeout_ms: must be a number',
    ].sort(),
  );
});

test('the same file without the bad templates loads, and its template fills', () => {
  const good = `d-${HEX}`;
  const dir = folder({
    'v.yaml': 'providers:\n  - name: mail\n    type: smtp\n    url: smtp://127.0.0.1\n    from: a@example.com\n    templates_dir: mail\n',
    [`mail/${good}.html`]: '<p>{{name}}</p>',
    [`mail/${good}.json`]: '{"subject": "Hi {{name}}"}',
  });
  const s = load(join(dir, 'v.yaml')).providers.providers[0]?.settings as SmtpSettings;
  const t = s.templates.get(good);
  assert.equal(t?.html({ name: '<b>' }), '<p>&lt;b&gt;</p>');
  assert.equal(t?.subject?.({ name: '<b>' }), 'Hi <b>');
  assert.equal(t?.text, null);
});

test("the issue's example file: an smtp and a twilio provider, every channel routed, secrets from the environment", async () => {
  const dir = folder({
    'verifyd.yaml': `providers:
  - name: mail
    type: smtp
    url: smtp://user:pass@127.0.0.1:2525   # smtps:// for implicit TLS
    from: no-reply@example.com
    from_name: Example
  - name: twilio
    type: twilio
    account_sid: \${UPSTREAM_TWILIO_SID}
    auth_token: \${UPSTREAM_TWILIO_TOKEN}
    api_base_url: http://127.0.0.1:9999     # default: Twilio's own API host
    sms_from: "+15005550006"                # or messaging_service_sid
    whatsapp_from: "whatsapp:+14155238886"
    voice_from: "+15005550006"
routes:
  email: [mail]
  sms: [twilio]
  whatsapp: [twilio]
  call: [twilio]
`,
  });
  const sid = `AC${HEX}`;
  const c = load(join(dir, 'verifyd.yaml'), { UPSTREAM_TWILIO_SID: sid, UPSTREAM_TWILIO_TOKEN: HEX });
  const twilio = c.providers.providers.find((p) => p.name === 'twilio');
  assert.equal(twilio?.type, 'twilio');
  assert.deepEqual(
    { sid: (twilio!.settings as { account_sid: string }).account_sid, token: (twilio!.settings as { auth_token: string }).auth_token },
    { sid, token: HEX },
  );
  assert.deepEqual(c.providers.routes, { email: { default: ['mail'] }, sms: { default: ['twilio'] }, whatsapp: { default: ['twilio'] }, call: { default: ['twilio'] } });
  // And it builds: every channel routed to a provider that carries it.
  const { buildRegistry } = await import('../../src/channels/providers.js');
  const registry = buildRegistry(c.providers, { store: {} as never, clock: { now: () => new Date(0) }, publicBaseUrl: () => 'https://verifyd.example', codeKeys: () => assert.fail('no call is sent'), receipts: () => assert.fail('no receipt') });
  assert.deepEqual(['email', 'sms', 'whatsapp', 'call'].map((ch) => registry.route(ch as 'sms')[0]?.name), ['mail', 'twilio', 'twilio', 'twilio']);
  await registry.close();
});

test('geo_permissions: per channel one of allow or block, country codes upper-cased; every problem listed', () => {
  const dir = folder({ 'ok.yaml': 'geo_permissions:\n  sms:\n    block: [cu, IR]\n  call:\n    allow: [US]\n' });
  assert.deepEqual(load(join(dir, 'ok.yaml')).providers.geoPermissions, { sms: { mode: 'block', countries: ['CU', 'IR'] }, call: { mode: 'allow', countries: ['US'] } });
  const bad = folder({
    'bad.yaml': 'geo_permissions:\n  email:\n    block: [US]\n  sms:\n    allow: [US]\n    block: [CU]\n  call:\n    allow: [USA, "1"]\n  whatsapp:\n    block: []\n  sna: [US]\n',
  });
  assert.deepEqual(problems(join(bad, 'bad.yaml')), [
    'VERIFYD_CONFIG: geo_permissions.email: is not one of sms, call, whatsapp, sna',
    'VERIFYD_CONFIG: geo_permissions.sms: must have exactly one of allow or block',
    'VERIFYD_CONFIG: geo_permissions.call.allow: not ISO 3166-1 alpha-2 country codes: USA, 1',
    'VERIFYD_CONFIG: geo_permissions.whatsapp.block: no country given',
    'VERIFYD_CONFIG: geo_permissions.sna: must have exactly one of allow or block',
  ]);
});

test('pumping_guard: a level and a high_cost list of country codes and + prefixes; every problem listed', () => {
  const dir = folder({ 'ok.yaml': 'pumping_guard:\n  level: max\n  high_cost: [cu, "+882"]\n', 'none.yaml': 'routes: {}\n' });
  assert.deepEqual(load(join(dir, 'ok.yaml')).providers.pumpingGuard, { level: 'max', highCost: ['CU', '+882'] });
  assert.equal(load(join(dir, 'none.yaml')).providers.pumpingGuard, undefined);
  const bad = folder({ 'bad.yaml': 'pumping_guard:\n  level: strict\n  high_cost: [Cuba, 882]\n  window: 5\n', 'list.yaml': 'pumping_guard: [max]\n' });
  assert.deepEqual(problems(join(bad, 'bad.yaml')), [
    'VERIFYD_CONFIG: pumping_guard.window: is not one of level, high_cost',
    'VERIFYD_CONFIG: pumping_guard.level: must be one of off, basic, standard, max',
    'VERIFYD_CONFIG: pumping_guard.high_cost: not country codes or +prefixes: CUBA, 882',
  ]);
  assert.deepEqual(problems(join(bad, 'list.yaml')), ['VERIFYD_CONFIG: pumping_guard: must be a mapping with level and/or high_cost']);
});

test("vonage and http providers as the issue writes them: defaults filled, secrets from the environment, a gateway routed only for its channels", async () => {
  const dir = folder({
    'verifyd.yaml': `providers:
  - name: vonage
    type: vonage
    api_key: \${VONAGE_KEY}
    api_secret: \${VONAGE_SECRET}
    signature_secret: \${VONAGE_SIG}
    api_base_url: http://127.0.0.1:9998/  # default: Vonage's own API host
    from: "Acme"
  - name: gateway
    type: http
    url: http://127.0.0.1:9997/send
    secret: \${GATEWAY_SECRET}
  - name: wa
    type: http
    url: https://wa.example/send
    secret: \${GATEWAY_SECRET}
    channels: [whatsapp]
    timeout_ms: 2000
routes:
  sms: [vonage, gateway]
  whatsapp: [wa]
  call: [gateway]
  email: [gateway]
`,
  });
  const env = { VONAGE_KEY: 'key1', VONAGE_SECRET: 'secret1', VONAGE_SIG: 'sig1', GATEWAY_SECRET: 'g'.repeat(32) };
  const c = load(join(dir, 'verifyd.yaml'), env);
  const [vonage, gateway, wa] = c.providers.providers;
  assert.deepEqual(vonage?.settings, { api_key: 'key1', api_secret: 'secret1', signature_secret: 'sig1', signature_method: 'sha256', api_base_url: 'http://127.0.0.1:9998', from: 'Acme', timeout_ms: 10_000, connect_timeout_ms: 3_000 });
  assert.deepEqual(gateway?.settings, { url: 'http://127.0.0.1:9997/send', secret: 'g'.repeat(32), channels: ['sms', 'call', 'whatsapp', 'email'], timeout_ms: 10_000, connect_timeout_ms: 3_000 });
  assert.deepEqual((wa?.settings as { channels: string[] }).channels, ['whatsapp']);
  const { buildRegistry } = await import('../../src/channels/providers.js');
  const ctx = { store: {} as never, clock: { now: () => new Date(0) }, publicBaseUrl: () => 'https://verifyd.example', codeKeys: () => assert.fail('no call is sent'), receipts: async () => false };
  const registry = buildRegistry(c.providers, ctx);
  assert.deepEqual(registry.route('sms').map((p) => p.name), ['vonage', 'gateway']);
  // A gateway that does not take a channel cannot be routed to it.
  assert.throws(() => buildRegistry({ ...c.providers, routes: { ...c.providers.routes, sms: { default: ['wa'] } } }, ctx), /provider wa does not serve sms/);
});

test("the issue's full example file: smpp, vonage and http providers, a messaging service, routes by country, failover", async () => {
  // As issue 12 writes it (section 1), comments included.
  const dir = folder({
    'verifyd.yaml': `providers:
  - name: smsc
    type: smpp
    url: smpp://127.0.0.1:2775          # smpps:// for TLS
    system_id: verifyd
    password: \${SMPP_PASSWORD}
    source_addr: "Acme"
    binds: 2
    max_per_second: 50
  - name: vonage
    type: vonage
    api_key: \${VONAGE_KEY}
    api_secret: \${VONAGE_SECRET}
    signature_secret: \${VONAGE_SIG}
    api_base_url: http://127.0.0.1:9998  # default: Vonage's own API host
    from: "Acme"
  - name: gateway
    type: http
    url: http://127.0.0.1:9997/send
    secret: \${GATEWAY_SECRET}
messaging_services:                     # sender profiles named by Messaging Configurations
  - sid: MG00000000000000000000000000000001
    sms: [vonage]
routes:
  sms:
    default: [smsc, vonage]             # ordered: failover goes left to right
    countries:
      GB: [vonage, smsc]
  whatsapp: [gateway]
failover:
  receipt_timeout_seconds: 30           # only for providers that send receipts, and only where on
  on_receipt_timeout: false
`,
  });
  const env = { SMPP_PASSWORD: 'smpp-pw', VONAGE_KEY: 'key1', VONAGE_SECRET: 'secret1', VONAGE_SIG: 'sig1', GATEWAY_SECRET: 'g'.repeat(32) };
  const c = load(join(dir, 'verifyd.yaml'), env);
  assert.deepEqual(
    c.providers.providers.map((p) => [p.name, p.type]),
    [['smsc', 'smpp'], ['vonage', 'vonage'], ['gateway', 'http']],
  );
  const smsc = c.providers.providers[0]!.settings as { host: string; port: number; tls: boolean; password: string; binds: number };
  assert.deepEqual({ host: smsc.host, port: smsc.port, tls: smsc.tls, password: smsc.password, binds: smsc.binds }, { host: '127.0.0.1', port: 2775, tls: false, password: 'smpp-pw', binds: 2 });
  assert.equal((c.providers.providers[1]!.settings as { api_secret: string }).api_secret, 'secret1');
  assert.equal((c.providers.providers[2]!.settings as { secret: string }).secret, 'g'.repeat(32));
  assert.deepEqual(c.providers.failover, { receiptTimeoutMs: 30_000, onReceiptTimeout: false, circuit: DEFAULT_FAILOVER.circuit });

  const { buildRegistry } = await import('../../src/channels/providers.js');
  const ctx = { store: {} as never, clock: { now: () => new Date(0) }, publicBaseUrl: () => 'https://verifyd.example', codeKeys: () => assert.fail('no call is sent'), receipts: async () => false };
  const registry = buildRegistry(c.providers, ctx);
  try {
    const names = (channel: 'sms' | 'whatsapp', country: string | null, profile: string | null = null) => registry.route({ channel, serviceSid: 'VA1', country }, profile).map((p) => p.name);
    // The country of the numbers as the sender finds it.
    assert.deepEqual([countryOf('sms', '+447400123456'), countryOf('sms', '+15017122661')], ['GB', 'US']);
    assert.deepEqual(names('sms', 'GB'), ['vonage', 'smsc']);
    assert.deepEqual(names('sms', 'US'), ['smsc', 'vonage']);
    assert.deepEqual(names('whatsapp', 'US'), ['gateway']);
    // The messaging service sends sms through its own providers, whatever the country; it carries no whatsapp.
    assert.equal(registry.hasProfile('MG00000000000000000000000000000001'), true);
    assert.deepEqual(names('sms', 'US', 'MG00000000000000000000000000000001'), ['vonage']);
    assert.deepEqual(names('sms', 'GB', 'MG00000000000000000000000000000001'), ['vonage']);
    assert.deepEqual(names('whatsapp', 'US', 'MG00000000000000000000000000000001'), ['gateway']);
    assert.equal(registry.profilesCarry('sms'), true);
    assert.equal(registry.profilesCarry('whatsapp'), false);
    // Which of them send receipts decides where a missing receipt may ever fail over.
    assert.deepEqual(registry.route('sms').map((p) => [p.name, p.sendsReceipts === true]), [['smsc', true], ['vonage', true]]);
  } finally {
    await registry.close();
  }
});

test('vonage and http settings problems are listed, never with the secret', () => {
  const dir = folder({
    'bad.yaml': `providers:
  - name: vonage
    type: vonage
    api_key: key1
    api_secret: sekrit-value
    signature_method: sha3
    from: ""
  - name: gateway
    type: http
    url: ftp://gateway.example/send
    secret: short-sekrit
    channels: [sms, fax]
routes:
  sms: [vonage]
`,
  });
  const found = problems(join(dir, 'bad.yaml'));
  for (const where of ['providers[0].signature_secret', 'providers[0].signature_method', 'providers[0].from', 'providers[1].url', 'providers[1].secret', 'providers[1].channels.1']) {
    assert.ok(found.some((p) => p.startsWith(`VERIFYD_CONFIG: ${where}:`)), `${where} in ${JSON.stringify(found)}`);
  }
  assert.ok(!found.join('\n').includes('sekrit'));
});
