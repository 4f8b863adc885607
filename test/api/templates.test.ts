/**
 * Verify templates (HJ…) through the official twilio SDK on both backends: GET /v2/Templates lists
 * the account's own (created as the CLI creates them), a start's TemplateSid or its service's
 * DefaultTemplateSid renders that template's translation for the locale, and a sid that is not the
 * account's, a channel the template does not serve or a missing substitution answers Twilio's
 * error with nothing stored.
 */
import assert from 'node:assert/strict';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup, type Account, type ServiceApi, type TestServer } from '../support/server.js';
import { seedTemplate } from '../support/templates.js';

const EN = { locale: 'en', text: 'Your {{friendly_name}} code is {{code}}. It expires in {{ttl}} minutes.' };
const ES = { locale: 'es', text: 'Tu código de {{friendly_name}} es {{code}}' };

let n = 0;
/** A fresh destination per start, so no start is a resend of another. */
const nextPhone = () => `+1501712${String(2000 + n++).padStart(4, '0')}`;

/** After a refused start, a start without a template is the destination's first (nothing was stored). */
async function nothingStored(api: ServiceApi, to: string): Promise<void> {
  const v = await api.verifications.create({ to, channel: 'sms' });
  assert.equal(v.sendCodeAttempts.length, 1);
}

async function messageFor(server: TestServer, acct: Account, api: ServiceApi, params: Record<string, unknown>) {
  const to = nextPhone();
  await api.verifications.create({ to, channel: 'sms', ...params });
  return server.latestMessage(acct, to);
}

onEachBackend('templates', async (t, server) => {
  await t.test('GET /v2/Templates lists the account own templates with every field, through the SDK', async () => {
    const acct = await server.account();
    const other = await server.account();
    const login = await seedTemplate(server.stores, acct.sid, { friendlyName: 'Login', texts: [EN, ES] });
    const reset = await seedTemplate(server.stores, acct.sid, { friendlyName: 'Reset', channels: ['sms'], texts: [ES] });
    await seedTemplate(server.stores, other.sid, { friendlyName: 'Login' });

    const listed = await acct.client.verify.v2.templates.list();
    assert.deepEqual(listed.map((x) => x.sid).sort(), [login.sid, reset.sid].sort());
    const got = listed.find((x) => x.sid === login.sid)!;
    assert.equal(got.accountSid, acct.sid);
    assert.equal(got.friendlyName, 'Login');
    assert.deepEqual(got.channels, ['sms', 'voice']);
    const en = (got.translations as Record<string, Record<string, unknown>>).en!;
    assert.deepEqual(
      { ...en, date_created: undefined, date_updated: undefined },
      { is_default_translation: true, status: 'approved', locale: 'en', text: EN.text, date_created: undefined, date_updated: undefined },
    );
    assert.match(String(en.date_created), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal((got.translations as Record<string, { is_default_translation: boolean }>).es?.is_default_translation, false);
    // Without en, the first translation given is the default.
    assert.equal((listed.find((x) => x.sid === reset.sid)!.translations as Record<string, { is_default_translation: boolean }>).es?.is_default_translation, true);

    const byName = await acct.client.verify.v2.templates.list({ friendlyName: 'Reset' });
    assert.deepEqual(byName.map((x) => x.sid), [reset.sid]);
    assert.deepEqual(await other.client.verify.v2.templates.list({ friendlyName: 'Reset' }), []);
  });

  await t.test('pages carry the envelope and the FriendlyName filter; the SDK follows them', async () => {
    const acct = await server.account();
    const sids = [];
    for (let i = 0; i < 3; i++) sids.push((await seedTemplate(server.stores, acct.sid, { friendlyName: 'Paged' })).sid);
    await seedTemplate(server.stores, acct.sid, { friendlyName: 'Other' });
    const first = await acct.client.verify.v2.templates.page({ friendlyName: 'Paged', pageSize: 2 });
    assert.equal(first.instances.length, 2);
    const second = await first.nextPage();
    assert.equal(second?.instances.length, 1);
    assert.deepEqual([...first.instances, ...second!.instances].map((x) => x.sid).sort(), sids.sort());
    const raw = await server.fetch('/v2/Templates?FriendlyName=Paged&PageSize=2', { auth: { user: acct.sid, pass: acct.authToken } });
    const body = (await raw.json()) as { meta: Record<string, unknown> };
    assert.equal(body.meta.key, 'templates');
    assert.match(String(body.meta.next_page_url), /\/v2\/Templates\?FriendlyName=Paged&PageSize=2&Page=1&PageToken=PA/);
    await rejectsWith(acct.client.verify.v2.templates.list({ pageSize: 0 }), 400, 60200);
  });

  await t.test('a start with TemplateSid sends that template with its variables filled', async () => {
    const { acct, api } = await setup(server);
    const tpl = await seedTemplate(server.stores, acct.sid, { texts: [EN] });
    const m = await messageFor(server, acct, api, { templateSid: tpl.sid, customFriendlyName: 'Shop' });
    assert.equal(m.body, `Your Shop code is ${m.code}. It expires in 10 minutes.`);
  });

  await t.test('the locale picks the translation; one without its own gets its base language, else the default', async () => {
    const { acct, api } = await setup(server);
    const both = await seedTemplate(server.stores, acct.sid, { texts: [ES, EN] });
    const es = await messageFor(server, acct, api, { templateSid: both.sid, locale: 'es' });
    assert.equal(es.body, `Tu código de Acme es ${es.code}`);
    const latam = await messageFor(server, acct, api, { templateSid: both.sid, locale: 'es-419' });
    assert.equal(latam.body, `Tu código de Acme es ${latam.code}`);
    const fr = await messageFor(server, acct, api, { templateSid: both.sid, locale: 'fr' });
    assert.equal(fr.body, `Your Acme code is ${fr.code}. It expires in 10 minutes.`);
    const onlyEs = await seedTemplate(server.stores, acct.sid, { texts: [ES] });
    const de = await messageFor(server, acct, api, { templateSid: onlyEs.sid, locale: 'de' });
    assert.equal(de.body, `Tu código de Acme es ${de.code}`);
  });

  await t.test('a call reads the template with the code digit by digit', async () => {
    const { acct, api } = await setup(server);
    const tpl = await seedTemplate(server.stores, acct.sid, { channels: ['voice'], texts: [{ locale: 'en', text: 'Your code is {{code}}' }] });
    const to = nextPhone();
    await api.verifications.create({ to, channel: 'call', templateSid: tpl.sid });
    const m = await server.latestMessage(acct, to);
    assert.equal(m.body, `Your code is ${[...m.code].join(', ')}`);
  });

  await t.test('TemplateCustomSubstitutions fill the template own variables; a missing one is 60224, nothing stored', async () => {
    const { acct, api } = await setup(server);
    const tpl = await seedTemplate(server.stores, acct.sid, { texts: [{ locale: 'en', text: 'Hi {{user}}, your {{plan}} code is {{code}}' }] });
    const m = await messageFor(server, acct, api, { templateSid: tpl.sid, templateCustomSubstitutions: JSON.stringify({ user: 'Ann\u202e', plan: 'gold', code: '0000' }) });
    assert.equal(m.body, `Hi Ann, your gold code is ${m.code}`, 'control characters dropped; {{code}} is never the caller');
    const to = nextPhone();
    await rejectsWith(api.verifications.create({ to, channel: 'sms', templateSid: tpl.sid, templateCustomSubstitutions: JSON.stringify({ user: 'Ann' }) }), 400, 60224);
    await nothingStored(api, to);
  });

  await t.test('an unknown or another account TemplateSid is 60228 and nothing is stored', async () => {
    const { api } = await setup(server);
    const other = await server.account();
    const foreign = await seedTemplate(server.stores, other.sid);
    const unknown = `HJ${'0'.repeat(32)}`;
    for (const [sid, channel] of [[unknown, 'sms'], [foreign.sid, 'sms'], [foreign.sid, 'email']] as const) {
      const to = channel === 'email' ? `t${n++}@example.com` : nextPhone();
      await rejectsWith(api.verifications.create({ to, channel, templateSid: sid }), 400, 60228);
      if (channel === 'sms') await nothingStored(api, to);
    }
  });

  await t.test('a TemplateSid whose template does not serve the channel is 60227; email and WhatsApp keep verifyd wording', async () => {
    const { acct, api } = await setup(server);
    const smsOnly = await seedTemplate(server.stores, acct.sid, { channels: ['sms'], texts: [EN] });
    const to = nextPhone();
    await rejectsWith(api.verifications.create({ to, channel: 'call', templateSid: smsOnly.sid }), 400, 60227);
    await nothingStored(api, to);
    const wa = nextPhone();
    await api.verifications.create({ to: wa, channel: 'whatsapp', templateSid: smsOnly.sid });
    assert.match((await server.latestMessage(acct, wa)).body, /^Your Acme verification code is: \d{6}$/);
  });

  await t.test('the service default template is used when the start names none, and only on the channels it serves', async () => {
    const acct = await server.account();
    const def = await seedTemplate(server.stores, acct.sid, { channels: ['sms'], texts: [{ locale: 'en', text: 'Default: {{code}}' }] });
    const own = await seedTemplate(server.stores, acct.sid, { texts: [{ locale: 'en', text: 'Own: {{code}}' }] });
    const { api } = await setup(server, { defaultTemplateSid: def.sid }, acct);
    const m = await messageFor(server, acct, api, {});
    assert.equal(m.body, `Default: ${m.code}`);
    const o = await messageFor(server, acct, api, { templateSid: own.sid });
    assert.equal(o.body, `Own: ${o.code}`);
    const to = nextPhone();
    await api.verifications.create({ to, channel: 'call' });
    assert.match((await server.latestMessage(acct, to)).body, /^Your Acme verification code is: /);

    // A default deleted meanwhile is refused rather than silently replaced by verifyd's wording.
    await server.stores.templates.deleteTemplate(def.sid);
    const after = nextPhone();
    await rejectsWith(api.verifications.create({ to: after, channel: 'sms' }), 400, 60228);
  });

  await t.test('DefaultTemplateSid must be one of the account templates at create and update (60228)', async () => {
    const acct = await server.account();
    const other = await server.account();
    const foreign = await seedTemplate(server.stores, other.sid);
    await rejectsWith(acct.client.verify.v2.services.create({ friendlyName: 'Acme', defaultTemplateSid: foreign.sid }), 400, 60228);
    assert.deepEqual(await acct.client.verify.v2.services.list(), []);
    const svc = await acct.client.verify.v2.services.create({ friendlyName: 'Acme' });
    await rejectsWith(acct.client.verify.v2.services(svc.sid).update({ defaultTemplateSid: foreign.sid }), 400, 60228);
    assert.equal((await acct.client.verify.v2.services(svc.sid).fetch()).defaultTemplateSid, null);
  });
});
