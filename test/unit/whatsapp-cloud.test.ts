import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { isTemporary, twilioCodeFor } from '../../src/channels/whatsapp-cloud/errors.js';
import { metaLanguage, whatsappCloudSettings } from '../../src/channels/whatsapp-cloud/settings.js';
import { statusReceipts, validHubSignature } from '../../src/channels/whatsapp-cloud/webhooks.js';
import { SUPPORTED_LOCALES } from '../../src/domain/locale.js';
import { providerWebhookSecrets } from '../../src/channels/webhook-secrets.js';
import { WhatsappCloudProvider } from '../../src/channels/whatsapp-cloud/provider.js';

test("verifyd's locales in Meta's template language codes", () => {
  const expected: Record<string, string> = { en: 'en_US', 'en-GB': 'en_GB', zh: 'zh_TW', 'zh-CN': 'zh_CN', 'zh-HK': 'zh_HK', pt: 'pt_PT', 'pt-BR': 'pt_BR', 'es-419': 'es_MX', tl: 'fil', es: 'es', nb: 'nb', he: 'he' };
  for (const [locale, code] of Object.entries(expected)) assert.equal(metaLanguage(locale), code, locale);
  // Case as Locale takes it; an unknown tag is English.
  assert.equal(metaLanguage('PT-br'), 'pt_BR');
  assert.equal(metaLanguage('xx'), 'en_US');
  // Every supported locale has a code of Meta's form.
  for (const l of SUPPORTED_LOCALES) assert.match(metaLanguage(l), /^[a-z]{2,3}(_[A-Z]{2})?$/, l);
});

test("Meta's error codes: throttling and Meta's trouble are temporary; refusals get their Twilio code, else 30008", () => {
  for (const code of [4, 80007, 130429, 131048, 131056, 131000, 131016]) assert.equal(isTemporary(code), true, String(code));
  for (const code of [100, 131026, 132000, 132001, 190, null]) assert.equal(isTemporary(code), false, String(code));
  assert.deepEqual([131026, 132000, 132001, 190, 131047, 131049, 100, 368, null].map(twilioCodeFor), [63024, 63028, 63027, 20003, 63016, 63049, 30008, 30008, 30008]);
});

test('X-Hub-Signature-256: the app secret HMAC of exactly the raw body', () => {
  const body = Buffer.from('{"entry":[]}');
  const good = `sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`;
  assert.equal(validHubSignature('secret', body, good), true);
  assert.equal(validHubSignature('secret', body, good.toUpperCase().replace('SHA256', 'sha256')), true);
  for (const bad of [undefined, '', good.slice(7), `sha1=${good.slice(7)}`, `${good}00`, ['x'], `sha256=${'0'.repeat(64)}`]) {
    assert.equal(validHubSignature('secret', body, bad), false, String(bad));
  }
  assert.equal(validHubSignature('other', body, good), false);
  assert.equal(validHubSignature('secret', Buffer.from('{"entry":[ ]}'), good), false);
});

test('status receipts: sent, delivered, read and failed (its first error as the Twilio code); anything else is left out', () => {
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        changes: [
          { field: 'messages', value: { metadata: { phone_number_id: '222' }, statuses: [{ id: 'wamid.A', status: 'delivered' }, { id: 'wamid.B', status: 'failed', errors: [{ code: 131026 }] }, { id: 'wamid.C', status: 'deleted' }, { status: 'read' }] } },
          { field: 'messages', value: { messages: [{ from: '1', text: { body: 'hi' } }] } },
        ],
      },
      { changes: [{ value: { statuses: [{ id: 'wamid.D', status: 'failed' }, { id: 'wamid.E', status: 'constructor' }] } }] },
    ],
  };
  const senderOf = (id: unknown) => (id === '222' ? 'meta-2' : 'meta');
  assert.deepEqual(statusReceipts(senderOf, payload), [
    { providerName: 'meta-2', providerMessageId: 'wamid.A', status: 'delivered', errorCode: null },
    { providerName: 'meta-2', providerMessageId: 'wamid.B', status: 'failed', errorCode: 63024 },
    { providerName: 'meta', providerMessageId: 'wamid.D', status: 'failed', errorCode: 30008 },
  ]);
  for (const junk of [undefined, null, 'x', [], { entry: 'x' }, { entry: [null] }]) assert.deepEqual(statusReceipts(senderOf, junk), []);
});

test("an app's webhook names the provider of the number each status is about, among the providers of that app only", () => {
  const base = { access_token: 't', verify_token: 'v', template_name: 'verification_code' };
  const wa = (name: string, phone_number_id: string, app_secret: string) => new WhatsappCloudProvider(name, whatsappCloudSettings.parse({ ...base, phone_number_id, app_secret }));
  const secrets = providerWebhookSecrets([wa('one', '111', 'app-a'), wa('two', '222', 'app-a'), wa('other', '333', 'app-b')]);
  const senderOf = secrets.whatsappCloud('one')?.senderOf ?? assert.fail('provider one');
  assert.deepEqual(['111', '222', '333', undefined].map(senderOf), ['one', 'two', 'one', 'one']);
  assert.equal(secrets.whatsappCloud('nope'), undefined);
  assert.equal(secrets.sendgrid('one'), undefined);
});

test('settings: defaults, and each bad key a problem', () => {
  const base = { phone_number_id: '1065', access_token: 't', app_secret: 's', verify_token: 'v', template_name: 'verification_code' };
  const s = whatsappCloudSettings.parse(base);
  assert.deepEqual([s.api_base_url, s.api_version, s.template_language, s.timeout_ms], ['https://graph.facebook.com', 'v21.0', undefined, 10_000]);
  const bad = whatsappCloudSettings.safeParse({ ...base, phone_number_id: '+1 555', template_name: 'Verification Code', template_language: 'en-US', api_version: '21', extra: 1 });
  assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.') || i.code).sort(), ['api_version', 'phone_number_id', 'template_language', 'template_name', 'unrecognized_keys'].sort());
});
