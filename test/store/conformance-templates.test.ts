/**
 * Store conformance for TemplateStore on SQLite and PostgreSQL: translations and channels come back
 * as stored, reads are scoped by account, lists page in (dateCreated, sid) order and filter by the
 * exact FriendlyName, deletion is by sid.
 */
import assert from 'node:assert/strict';
import { newSid } from '../../src/domain/ids.js';
import type { VerificationTemplate } from '../../src/domain/types.js';
import { forEachBackend } from '../support/databases.js';
import { T0 } from './fixtures.js';

const template = (accountSid: string, over: Partial<VerificationTemplate> = {}): VerificationTemplate => ({
  sid: newSid('HJ'),
  accountSid,
  friendlyName: 'Login',
  channels: ['sms', 'voice'],
  translations: {
    en: { locale: 'en', text: 'Your {{friendly_name}} code is {{code}}', status: 'approved', isDefault: true, dateCreated: T0, dateUpdated: T0 },
    'pt-BR': { locale: 'pt-BR', text: 'Seu código é {{code}} ✓', status: 'approved', isDefault: false, dateCreated: T0 + 1, dateUpdated: T0 + 2 },
  },
  dateCreated: T0,
  dateUpdated: T0,
  ...over,
});

forEachBackend('store conformance: templates', async (t, stores) => {
  await t.test('insert and get round-trip every field; get is scoped by account', async () => {
    const acct = newSid('AC');
    const tpl = template(acct);
    await stores.templates.insertTemplate(tpl);
    assert.deepEqual(await stores.templates.getTemplate(acct, tpl.sid), tpl);
    assert.equal(await stores.templates.getTemplate(newSid('AC'), tpl.sid), undefined);
    assert.equal(await stores.templates.getTemplate(acct, newSid('HJ')), undefined);
  });

  await t.test('list: the account only, in (dateCreated, sid) order, paged by cursor and offset, filtered by exact name', async () => {
    const acct = newSid('AC');
    const rows = [template(acct, { dateCreated: T0 + 30 }), template(acct, { dateCreated: T0 + 10, friendlyName: 'Reset' }), template(acct, { dateCreated: T0 + 20 })];
    for (const r of rows) await stores.templates.insertTemplate(r);
    await stores.templates.insertTemplate(template(newSid('AC')));
    const ordered = [...rows].sort((a, b) => a.dateCreated - b.dateCreated).map((r) => r.sid);
    const all = await stores.templates.listTemplates(acct, {}, { offset: 0, limit: 10 });
    assert.deepEqual(all.map((r) => r.sid), ordered);
    const second = await stores.templates.listTemplates(acct, {}, { offset: 1, limit: 1 });
    assert.deepEqual(second.map((r) => r.sid), [ordered[1]]);
    const after = await stores.templates.listTemplates(acct, {}, { cursor: { dateCreated: all[0]!.dateCreated, sid: all[0]!.sid }, offset: 0, limit: 10 });
    assert.deepEqual(after.map((r) => r.sid), ordered.slice(1));
    const before = await stores.templates.listTemplates(acct, {}, { cursor: { dateCreated: all[2]!.dateCreated, sid: all[2]!.sid }, back: true, offset: 0, limit: 10 });
    assert.deepEqual(before.map((r) => r.sid), ordered.slice(0, 2));
    const login = await stores.templates.listTemplates(acct, { friendlyName: 'Login' }, { offset: 0, limit: 10 });
    assert.deepEqual(login.map((r) => r.friendlyName), ['Login', 'Login']);
    assert.deepEqual(await stores.templates.listTemplates(acct, { friendlyName: 'login' }, { offset: 0, limit: 10 }), []);
  });

  await t.test('delete by sid: true once, then false; the template is gone', async () => {
    const acct = newSid('AC');
    const tpl = template(acct);
    await stores.templates.insertTemplate(tpl);
    assert.equal(await stores.templates.deleteTemplate(tpl.sid), true);
    assert.equal(await stores.templates.deleteTemplate(tpl.sid), false);
    assert.equal(await stores.templates.getTemplate(acct, tpl.sid), undefined);
  });
});
