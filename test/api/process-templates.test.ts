/**
 * The template CLI as a process (node --import tsx src/cli.ts, as the other CLI tests run it) on a
 * temporary SQLite file, beside a running verifyd: what `template create` stores is what
 * GET /v2/Templates lists and what a start with that TemplateSid sends; `list` and `delete` work
 * by sid; bad input exits non-zero with the reason on stderr and stores nothing.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { accountOn, cleanUpCliDirs, cliDatabase, killAll, runCli, signal, startVerifyd } from '../support/processes.js';

after(() => {
  killAll();
  cleanUpCliDirs();
});

test('template create, list and delete from the CLI; the server lists and sends what it stored', async () => {
  const { SQLITE_PATH, sid, token } = await cliDatabase('verifyd-templates-');

  const created = await runCli(
    SQLITE_PATH, 'template', 'create', '--account', sid, '--name', 'Login', '--channels', 'sms,voice',
    '--text', 'es=Tu código de {{friendly_name}} es {{code}}', '--text', 'en=Your {{friendly_name}} code is {{code}}',
  );
  assert.equal(created.code, 0, created.err);
  const hj = /^TEMPLATE_SID=(HJ[0-9a-f]{32})\n$/.exec(created.out)![1]!;

  for (const [args, code, err] of [
    [['--account', sid, '--name', 'Bad', '--text', 'en=no code here'], 2, /must contain \{\{code\}\}/],
    [['--account', sid, '--name', 'Bad', '--channels', 'email', '--text', 'en={{code}}'], 2, /Channels/],
    [['--account', sid, '--name', 'Bad', '--text', 'xx={{code}}'], 2, /locale "xx"/],
    [['--account', `AC${'0'.repeat(32)}`, '--name', 'Bad', '--text', 'en={{code}}'], 1, /unknown account/],
  ] as const) {
    const bad = await runCli(SQLITE_PATH, 'template', 'create', ...args);
    assert.equal(bad.code, code, bad.err);
    assert.match(bad.err, err);
    assert.equal(bad.out, '');
  }

  const listed = await runCli(SQLITE_PATH, 'template', 'list', '--account', sid);
  assert.equal(listed.out, `${hj}\tLogin\tsms,voice\tes,en\n`);

  const server = await startVerifyd({ SQLITE_PATH });
  try {
    const { client } = accountOn(server.base, sid, token);
    const templates = await client.verify.v2.templates.list();
    assert.deepEqual(templates.map((x) => [x.sid, x.friendlyName, x.channels]), [[hj, 'Login', ['sms', 'voice']]]);
    const svc = await client.verify.v2.services.create({ friendlyName: 'Acme' });
    await client.verify.v2.services(svc.sid).verifications.create({ to: '+34600000001', channel: 'sms', templateSid: hj });
    const inbox = await fetch(`${server.base}/inbox/messages?To=%2B34600000001&PageSize=1`, {
      headers: { Authorization: `Basic ${Buffer.from(`${sid}:${token}`).toString('base64')}` },
    });
    const [message] = ((await inbox.json()) as { messages: Array<{ body: string; code: string }> }).messages;
    assert.equal(message?.body, `Tu código de Acme es ${message?.code}`, 'Spain resolves to es');

    const deleted = await runCli(SQLITE_PATH, 'template', 'delete', hj);
    assert.deepEqual([deleted.code, deleted.out], [0, `deleted ${hj}\n`]);
    assert.deepEqual(await client.verify.v2.templates.list(), []);
    const again = await runCli(SQLITE_PATH, 'template', 'delete', hj);
    assert.equal(again.code, 1);
    assert.match(again.err, /unknown template/);
  } finally {
    await signal(server, 'SIGTERM');
  }
});
