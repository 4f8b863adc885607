/**
 * E-mail over SMTP end to end: verifyd started with a VERIFYD_CONFIG file routing email to an
 * `smtp` provider, a real SMTP server (smtp-server: STARTTLS with a self-signed certificate made
 * for the run, AUTH PLAIN or LOGIN), starts through the official SDK, and each message parsed by
 * mailparser: subject, from, from name, HTML and text, the locale's wording, a custom template with
 * substitutions, ChannelConfiguration overrides. Each test waits for the message to arrive (the
 * server's event), not for the 201, so it holds whether the send runs in the start or after it.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startSmtpServer, type TestSmtpOptions, type TestSmtpServer } from '../support/smtp.js';
import { setup, startServer, type Account, type TestServer } from '../support/server.js';
import { until } from '../support/until.js';

const TEMPLATE = `d-${'0123456789abcdef'.repeat(2)}`;

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A config file routing email to an smtp provider on `smtp` (as `user:pass`), with one custom template. */
function configFile(smtp: TestSmtpServer, login = 'mailer:s3cret'): string {
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-mailconf-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'templates'));
  writeFileSync(
    join(dir, 'templates', `${TEMPLATE}.html`),
    '<html><body><p>Hello {{username}},</p><p>{{twilio_message}}</p><p class="code">{{twilio_code}}</p>' +
      '<p>{{twilio_message_without_code}}</p><footer>{{twilio_service_name}}</footer></body></html>',
  );
  writeFileSync(join(dir, 'templates', `${TEMPLATE}.txt`), 'Hello {{username}}: {{twilio_code}} ({{twilio_service_name}})');
  writeFileSync(join(dir, 'templates', `${TEMPLATE}.json`), JSON.stringify({ subject: '{{username}}, your {{twilio_service_name}} code' }));
  const path = join(dir, 'verifyd.yaml');
  writeFileSync(
    path,
    `providers:
  - name: mail
    type: smtp
    url: smtp://${login}@127.0.0.1:${smtp.port}
    from: no-reply@example.com
    from_name: Example
    tls:
      ca_file: ${smtp.caFile}
    templates_dir: templates
routes:
  email: [mail]
`,
  );
  return path;
}

/** verifyd and an SMTP server, closed after `body`. */
async function withMail(
  body: (ctx: { server: TestServer; smtp: TestSmtpServer }) => Promise<void>,
  opts: { smtp?: TestSmtpOptions; login?: string } = {},
): Promise<void> {
  const smtp = await startSmtpServer(opts.smtp);
  const server = await startServer('sqlite', { configFile: configFile(smtp, opts.login) });
  assert.ok(!('skip' in server));
  try {
    await body({ server, smtp });
  } finally {
    await server.close();
    await smtp.close();
  }
}

async function attemptData(server: TestServer, acct: Account, vl: string): Promise<Record<string, unknown>> {
  const res = await server.fetch(`/v2/Attempts/${vl}`, { auth: { user: acct.sid, pass: acct.authToken } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { channel_data: Record<string, unknown> }).channel_data;
}

const codeIn = (text: string) => /\b(\d{4,10})\b/.exec(text)?.[1];

test('the default e-mail: STARTTLS and AUTH, the configured sender, HTML and text in English, the code checks', async () => {
  await withMail(async ({ server, smtp }) => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: 'Ann@Example.com', channel: 'email' });
    assert.equal(v.status, 'pending');
    const got = await smtp.next();
    assert.equal(got.secure, true, 'upgraded with STARTTLS before anything else');
    assert.equal(got.user, 'mailer');
    assert.equal(got.envelopeFrom, 'no-reply@example.com');
    assert.deepEqual(got.envelopeTo, ['ann@example.com']);
    const { mail } = got;
    assert.equal(mail.subject, 'Your Acme verification code');
    assert.deepEqual(mail.from?.value, [{ address: 'no-reply@example.com', name: 'Example' }]);
    const code = codeIn(mail.text ?? '');
    assert.ok(code, 'the text part holds the code');
    assert.match(mail.text!, new RegExp(`^Your Acme verification code is: ${code}\\n\\nThe code is valid for 10 minutes\\.`));
    const html = String(mail.html);
    assert.match(html, /<html lang="en" dir="ltr">/);
    assert.match(html, new RegExp(`<p>Your Acme verification code is</p>\\s*<p[^>]*>${code}</p>`));
    assert.match(html, /<p>The code is valid for 10 minutes\.<\/p>/);

    const data = await until(() => attemptData(server, acct, v.sendCodeAttempts[0]?.attempt_sid as string), (d) => d.message_status === 'sent', 'the attempt recorded sent');
    assert.equal(data.error_code, null);
    const check = await api.verificationChecks.create({ to: 'ann@example.com', code: code! });
    assert.equal(check.status, 'approved');
  });
});

test('the locale chooses the wording of the subject, both parts and the HTML language', async () => {
  await withMail(async ({ server, smtp }) => {
    const { api } = await setup(server);
    await api.verifications.create({ to: 'ana@example.com', channel: 'email', locale: 'es', customFriendlyName: 'Tienda Ñandú' });
    const { mail } = await smtp.next();
    assert.equal(mail.subject, 'Tu código de verificación de Tienda Ñandú');
    assert.match(mail.text ?? '', /^Tu código de verificación de Tienda Ñandú es: \d+\n\nEl código es válido durante 10 minutos\./);
    const html = String(mail.html);
    assert.match(html, /<html lang="es" dir="ltr">/);
    assert.match(html, /<title>Tu código de verificación de Tienda Ñandú<\/title>/);
    assert.match(html, /<p>Tu código de verificación de Tienda Ñandú es<\/p>/);

    await api.verifications.create({ to: 'omar@example.com', channel: 'email', locale: 'ar' });
    const ar = (await smtp.next()).mail;
    assert.match(String(ar.html), /<html lang="ar" dir="rtl">/);
    assert.equal(ar.subject, 'رمز التحقق الخاص بك لدى Acme');
  });
});

test('ChannelConfiguration from and from_name override the provider\'s sender', async () => {
  await withMail(async ({ server, smtp }) => {
    const { api } = await setup(server);
    await api.verifications.create({ to: 'ann@example.com', channel: 'email', channelConfiguration: { from: 'security@example.org', from_name: 'Security "Team"' } });
    const got = await smtp.next();
    assert.deepEqual(got.mail.from?.value, [{ address: 'security@example.org', name: 'Security "Team"' }]);
    assert.equal(got.envelopeFrom, 'security@example.org');

    // from_name alone keeps the configured address.
    await api.verifications.create({ to: 'bob@example.com', channel: 'email', channelConfiguration: { from_name: 'Ünïcode Ltd' } });
    assert.deepEqual((await smtp.next()).mail.from?.value, [{ address: 'no-reply@example.com', name: 'Ünïcode Ltd' }]);
  });
});

test('template_id picks a Handlebars template, filled with substitutions (escaped in HTML) and Twilio\'s variables in the locale', async () => {
  await withMail(async ({ server, smtp }) => {
    const { api } = await setup(server);
    await api.verifications.create({
      to: 'ann@example.com',
      channel: 'email',
      locale: 'fr',
      // A substitution cannot replace the code.
      channelConfiguration: { template_id: TEMPLATE, substitutions: { username: 'Ann <script>', twilio_code: '000000' } },
    });
    const { mail } = await smtp.next();
    assert.equal(mail.subject, 'Ann <script>, your Acme code');
    const code = codeIn(mail.text ?? '');
    assert.ok(code && code !== '000000');
    assert.equal(mail.text, `Hello Ann <script>: ${code} (Acme)`);
    const html = String(mail.html);
    assert.match(html, /<p>Hello Ann &lt;script&gt;,<\/p>/);
    assert.match(html, new RegExp(`<p>Votre code de vérification Acme est : ${code}</p><p class="code">${code}</p><p>Votre code de vérification Acme est</p>`));
    assert.match(html, /<footer>Acme<\/footer>/);
  });
});

test('a template_id the provider does not have: 201, the attempt failed with 30008, nothing sent', async () => {
  await withMail(async ({ server, smtp }) => {
    const { acct, api } = await setup(server);
    const v = await api.verifications.create({ to: 'ann@example.com', channel: 'email', channelConfiguration: { template_id: `d-${'f'.repeat(32)}` } });
    assert.equal(v.status, 'pending');
    const data = await until(() => attemptData(server, acct, v.sendCodeAttempts[0]?.attempt_sid as string), (d) => d.message_status === 'failed', 'the attempt recorded failed');
    assert.equal(data.error_code, '30008');
    // The next start's message is the next one the server sees.
    await api.verifications.create({ to: 'bob@example.com', channel: 'email' });
    assert.deepEqual((await smtp.next()).envelopeTo, ['bob@example.com']);
  });
});

test('AUTH LOGIN when it is the only mechanism offered', async () => {
  await withMail(
    async ({ server, smtp }) => {
      const { api } = await setup(server);
      await api.verifications.create({ to: 'ann@example.com', channel: 'email' });
      const got = await smtp.next();
      assert.equal(got.authMethod, 'LOGIN');
      assert.equal(got.secure, true);
    },
    { smtp: { authMethods: ['LOGIN'] } },
  );
});

test('the server refusing the login (535): the start is 201 all the same and its attempt failed with 30008', async () => {
  await withMail(
    async ({ server, smtp }) => {
      const { acct, api } = await setup(server);
      const v = await api.verifications.create({ to: 'ann@example.com', channel: 'email' });
      assert.equal(v.status, 'pending');
      const data = await until(() => attemptData(server, acct, v.sendCodeAttempts[0]?.attempt_sid as string), (d) => d.message_status === 'failed', 'the attempt recorded failed');
      assert.equal(data.error_code, '30008');
      assert.ok(smtp.refusedLogins >= 1);
    },
    { login: 'mailer:wrong' },
  );
});
