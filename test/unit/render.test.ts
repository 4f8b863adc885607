import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SUPPORTED_LOCALES } from '../../src/domain/locale.js';
import { render, type RenderChannel, type RenderInput } from '../../src/channels/render/index.js';
import { EN, TEMPLATES, type Template } from '../../src/channels/render/templates.js';

const CHANNELS: RenderChannel[] = ['sms', 'call', 'whatsapp', 'email'];

function input(over: Partial<RenderInput> = {}): RenderInput {
  return {
    channel: 'sms',
    locale: 'en',
    friendlyName: 'Acme',
    code: '123456',
    doNotShareWarning: false,
    ttlMinutes: 10,
    ...over,
  };
}

test('every supported locale has every string', () => {
  const keys = Object.keys(EN) as Array<keyof Template>;
  for (const locale of SUPPORTED_LOCALES) {
    const t = TEMPLATES[locale];
    assert.ok(t, `missing catalog for ${locale}`);
    for (const key of keys) assert.ok(t[key], `${locale}.${key}`);
  }
});

test('every locale renders every channel with the code and friendly name', () => {
  for (const locale of SUPPORTED_LOCALES) {
    for (const channel of CHANNELS) {
      const out = render(input({ locale, channel, friendlyName: 'Acme Shop' }));
      const where = `${locale}/${channel}`;
      assert.ok(out.body.includes('Acme Shop'), where);
      const code = channel === 'call' ? '1, 2, 3, 4, 5, 6' : '123456';
      assert.ok(out.body.includes(code), where);
      assert.ok(!/\{\w+\}/.test(out.body), `${where}: unfilled placeholder`);
      if (channel === 'email') {
        assert.ok(out.subject?.includes('Acme Shop'), where);
        assert.ok(out.body.includes('10'), where);
      } else {
        assert.equal(out.subject, null, where);
      }
    }
  }
});

test('non-English locales are actually translated', () => {
  for (const locale of SUPPORTED_LOCALES) {
    if (locale.startsWith('en')) continue;
    assert.notEqual(render(input({ locale })).body, render(input()).body, locale);
  }
});

test('English sms reads naturally', () => {
  assert.equal(render(input()).body, 'Your Acme verification code is: 123456');
});

test('en-GB uses British spelling', () => {
  const out = render(input({ locale: 'en-GB', amount: '£5.00', payee: 'Shop' }));
  assert.match(out.body, /authorise/);
});

test('app hash follows the SMS Retriever format', () => {
  const out = render(input({ code: '1234', appHash: 'He42w354ol9' }));
  assert.equal(out.body, '<#> Your Acme verification code is: 1234 He42w354ol9');
});

test('app hash stays last after the warning and is ignored outside sms', () => {
  const sms = render(input({ appHash: 'He42w354ol9', doNotShareWarning: true }));
  assert.ok(sms.body.startsWith('<#> '));
  assert.ok(sms.body.endsWith(' He42w354ol9'));
  assert.ok(sms.body.includes(EN.warning));
  for (const channel of ['call', 'whatsapp', 'email'] as const) {
    const out = render(input({ channel, appHash: 'He42w354ol9' }));
    assert.ok(!out.body.includes('He42w354ol9'), channel);
    assert.ok(!out.body.includes('<#>'), channel);
  }
});

test('do-not-share warning is added to sms only', () => {
  assert.ok(render(input({ doNotShareWarning: true })).body.includes(EN.warning));
  assert.ok(!render(input()).body.includes(EN.warning));
  for (const channel of ['call', 'whatsapp', 'email'] as const) {
    const out = render(input({ channel, doNotShareWarning: true }));
    assert.ok(!out.body.includes(EN.warning), channel);
  }
  const fr = render(input({ locale: 'fr', doNotShareWarning: true })).body;
  assert.ok(fr.includes(TEMPLATES['fr']?.warning ?? '?'));
});

test('PSD2 text names the amount and payee', () => {
  const out = render(input({ code: '1234', amount: '€39.99', payee: 'Acme Inc.' }));
  assert.equal(
    out.body,
    'Your Acme verification code to authorize a payment of €39.99 to Acme Inc. is: 1234',
  );
  for (const locale of SUPPORTED_LOCALES) {
    for (const channel of ['sms', 'whatsapp', 'call'] as const) {
      const body = render(input({ locale, channel, amount: '€39.99', payee: 'Acme Inc.' })).body;
      assert.ok(body.includes('€39.99') && body.includes('Acme Inc.'), `${locale}/${channel}`);
    }
  }
});

test('PSD2 needs both amount and payee', () => {
  const plain = render(input()).body;
  assert.equal(render(input({ amount: '€1' })).body, plain);
  assert.equal(render(input({ payee: 'Acme Inc.', amount: null })).body, plain);
});

test('call spells the digits, repeats them, and carries sendDigits', () => {
  const out = render(input({ channel: 'call', code: '4711', sendDigits: 'ww1928' }));
  assert.equal(
    out.body,
    'Your Acme verification code is: 4, 7, 1, 1. Once again, your code is: 4, 7, 1, 1.',
  );
  assert.equal(out.sendDigits, 'ww1928');
  assert.equal(render(input({ channel: 'call' })).sendDigits, null);
  assert.equal(render(input({ sendDigits: 'ww1' })).sendDigits, null);
  for (const locale of SUPPORTED_LOCALES) {
    const body = render(input({ locale, channel: 'call', code: '4711' })).body;
    assert.equal(body.split('4, 7, 1, 1').length - 1, 2, locale);
  }
});

test('email has a subject and states the lifetime', () => {
  const out = render(input({ channel: 'email', ttlMinutes: 15 }));
  assert.equal(out.subject, 'Your Acme verification code');
  assert.ok(out.body.includes('123456'));
  assert.ok(out.body.includes('15 minutes'));
  assert.equal(out.sendDigits, null);
});

test('friendly name and code are inserted verbatim', () => {
  const name = `<b>A&B</b> "$&" $1 {code}`;
  for (const channel of CHANNELS) {
    const out = render(input({ channel, friendlyName: name, code: '9$&' }));
    assert.ok(out.body.includes(name), channel);
  }
  assert.equal(
    render(input({ friendlyName: name, code: '9$&' })).body,
    `Your ${name} verification code is: 9$&`,
  );
});

test('unknown locales fall back to the base language, then English', () => {
  assert.equal(render(input({ locale: 'es-MX' })).body, render(input({ locale: 'es' })).body);
  assert.equal(render(input({ locale: 'PT-br' })).body, render(input({ locale: 'pt-BR' })).body);
  assert.equal(render(input({ locale: 'xx' })).body, render(input()).body);
});

test('a Verify template text replaces the wording on sms and call only, with its variables filled once', () => {
  const templateText = 'Hi {{user}}: {{code}} for {{friendly_name}}, {{ttl}} min. {{unknown}}';
  const templated = (over: Partial<RenderInput>) => render(input({ templateText, templateSubstitutions: { user: '{{code}}', code: '000000' }, ...over }));
  // A substitution's value is not scanned again, and cannot replace a built-in variable.
  assert.equal(templated({}).body, 'Hi {{code}}: 123456 for Acme, 10 min. {{unknown}}');
  // The template is the whole message: no do-not-share sentence, but the App Hash framing stays.
  assert.equal(templated({ doNotShareWarning: true, appHash: 'He42w354ol9' }).body, '<#> Hi {{code}}: 123456 for Acme, 10 min. {{unknown}} He42w354ol9');
  const call = templated({ channel: 'call', sendDigits: '1w2' });
  assert.deepEqual(call, { subject: null, body: 'Hi {{code}}: 1, 2, 3, 4, 5, 6 for Acme, 10 min. {{unknown}}', sendDigits: '1w2' });
  for (const channel of ['whatsapp', 'email'] as const) assert.deepEqual(templated({ channel }), render(input({ channel })));
});
