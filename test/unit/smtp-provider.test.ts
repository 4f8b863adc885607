/**
 * SmtpProvider's outcomes against a real SMTP server: accepted is `sent` with the Message-ID, a 5xx
 * refusal is a returned `failed` (final), a 4xx refusal or no server at all is thrown (may be
 * tried again); with STARTTLS required, a server that cannot upgrade never gets the message (a
 * failure: its 500 to STARTTLS is permanent).
 * And verifyd's default HTML escapes what it is filled with.
 */
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { SmtpProvider } from '../../src/channels/smtp/provider.js';
import { smtpSettings } from '../../src/channels/smtp/settings.js';
import { defaultHtml } from '../../src/channels/smtp/templates.js';
import { emailVariables, render } from '../../src/channels/render/index.js';
import { SUPPORTED_LOCALES } from '../../src/domain/locale.js';
import { REFUSED_PORT } from '../support/local-http.js';
import { sendRequest } from '../support/send-request.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp.js';

const request = (to: string) => sendRequest({ channel: 'email', to, code: '424242' });

const send = (p: SmtpProvider, to: string) => p.send(request(to), render(request(to)));

function provider(smtp: { port: number; caFile: string }, extra: Record<string, unknown> = {}): SmtpProvider {
  const settings = smtpSettings({ dir: dirname(smtp.caFile) }).parse({
    url: `smtp://mailer:s3cret@127.0.0.1:${smtp.port}`,
    from: 'no-reply@example.com',
    tls: { ca_file: smtp.caFile },
    timeout_ms: 5000,
    ...extra,
  });
  return new SmtpProvider('mail', settings);
}

let smtp: TestSmtpServer;
let mail: SmtpProvider;
before(async () => {
  smtp = await startSmtpServer({ refuseRecipients: { 'gone@example.com': 550, 'full@example.com': 452 } });
  mail = provider(smtp);
});
after(async () => {
  mail.close();
  await smtp.close();
});

test('accepted: sent, with the Message-ID the server got', async () => {
  const outcome = await send(mail, 'ann@example.com');
  const got = await smtp.next();
  assert.equal(outcome.status, 'sent');
  assert.equal(outcome.providerMessageId, got.mail.messageId);
  assert.match(outcome.providerMessageId ?? '', /^<.+@.+>$/);
});

test('a 5xx refusal is a returned failure (30008): sending again would be refused again', async () => {
  assert.deepEqual(await send(mail, 'gone@example.com'), { status: 'failed', errorCode: 30008 });
});

test('a 4xx refusal is thrown: the same send may succeed later', async () => {
  await assert.rejects(send(mail, 'full@example.com'), (err: Error & { responseCode?: number }) => err.responseCode === 452);
});

test('no server listening is thrown too', async () => {
  // A port found free and closed again could be another test file's server by the time it is used.
  const nowhere = provider({ port: REFUSED_PORT, caFile: smtp.caFile });
  try {
    await assert.rejects(send(nowhere, 'ann@example.com'));
  } finally {
    nowhere.close();
  }
});

test('STARTTLS required (the default): a server without it never sees the message; opportunistic is a choice', async () => {
  const plain = await startSmtpServer({ starttls: false });
  const strict = provider(plain);
  const lax = provider(plain, { require_tls: false });
  try {
    // The server answers STARTTLS with 500: it will not upgrade next time either.
    assert.deepEqual(await send(strict, 'ann@example.com'), { status: 'failed', errorCode: 30008 });
    assert.equal((await send(lax, 'bob@example.com')).status, 'sent');
    const got = await plain.next();
    assert.deepEqual([got.envelopeTo, got.secure], [['bob@example.com'], false]);
  } finally {
    strict.close();
    lax.close();
    await plain.close();
  }
});

test('the default HTML escapes every value it is filled with', () => {
  const html = defaultHtml({
    locale: 'en" onload="x',
    subject: '<script>alert(1)</script>',
    body: 'first\n\n<img src=x onerror=y>',
    twilio_code: '1234',
    twilio_message_without_code: 'A & B',
  });
  assert.match(html, /<html lang="en&quot; onload&#x3D;&quot;x" dir="ltr">/);
  assert.match(html, /<title>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/title>/);
  assert.match(html, /<p>&lt;img src&#x3D;x onerror&#x3D;y&gt;<\/p>/);
  assert.match(html, /<p>A &amp; B<\/p>/);
});

test('every supported locale has its default e-mail: Twilio\'s variables and the HTML in its wording, no placeholder left', () => {
  for (const locale of SUPPORTED_LOCALES) {
    const req = sendRequest({ channel: 'email', to: 'ann@example.com', locale, code: '424242' });
    const r = render(req);
    const v = emailVariables(req);
    assert.ok(v.twilio_message.includes('424242') && v.twilio_message.includes('Acme'), locale);
    assert.ok(v.twilio_message_without_code.includes('Acme') && !v.twilio_message_without_code.includes('424242'), locale);
    assert.ok(r.body.startsWith(v.twilio_message), locale);
    const html = defaultHtml({ ...v, locale, subject: r.subject ?? '', body: r.body });
    assert.ok(html.includes(`lang="${locale}"`) && html.includes('>424242</p>'), locale);
    assert.doesNotMatch(html + (r.subject ?? '') + r.body, /\{\w+\}/, locale);
  }
});

test('a send called off while every pooled connection is busy never reaches the server (its retry cannot double it)', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const firstHeld = new Promise<void>((resolve) => (held = resolve));
  const slow = await startSmtpServer({
    hold: async ({ envelopeTo }) => {
      if (envelopeTo[0] !== 'first@example.com') return;
      held();
      await gate;
    },
  });
  const one = provider(slow, { pool: { max_connections: 1 } });
  try {
    const first = send(one, 'first@example.com');
    await firstHeld;
    // The only connection is busy: this one waits, and is called off (the dispatcher's deadline).
    const abort = new AbortController();
    const second = one.send(request('second@example.com'), render(request('second@example.com')), abort.signal);
    abort.abort(new Error('deadline'));
    await assert.rejects(second, { name: 'NotSent' });
    release();
    assert.equal((await first).status, 'sent');
    await send(one, 'third@example.com');
    // One connection, in order: had the second been handed on, it would have arrived before the third.
    assert.deepEqual([(await slow.next()).envelopeTo, (await slow.next()).envelopeTo], [['first@example.com'], ['third@example.com']]);
  } finally {
    one.close();
    await slow.close();
  }
});
