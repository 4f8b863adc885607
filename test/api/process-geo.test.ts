/**
 * The geo CLI as a process on a temporary SQLite file, beside a running verifyd: an account's rule
 * and a service's rule set with `geo set` decide what a start may reach (the service's winning),
 * `geo list` shows them, `geo clear` removes one, and bad input exits non-zero saying why.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { rejectsWith } from '../support/assertions.js';
import { accountOn, cleanUpCliDirs, cliDatabase, killAll, runCli, signal, startVerifyd } from '../support/processes.js';

after(() => {
  killAll();
  cleanUpCliDirs();
});

test('geo set, list and clear from the CLI decide which countries a start may reach', async () => {
  const { SQLITE_PATH, sid, token } = await cliDatabase('verifyd-geo-cli-');

  const server = await startVerifyd({ SQLITE_PATH });
  try {
    const { client } = accountOn(server.base, sid, token);
    const va = (await client.verify.v2.services.create({ friendlyName: 'Acme' })).sid;
    const api = client.verify.v2.services(va);

    assert.equal((await runCli(SQLITE_PATH, 'geo', 'set', '--account', sid, '--channel', 'sms', '--block', 'fr,de')).code, 0);
    const set = await runCli(SQLITE_PATH, 'geo', 'set', '--account', sid, '--service', va, '--channel', 'sms', '--allow', 'DE');
    assert.equal(set.code, 0, set.err);
    assert.equal(set.out, `${va}\tsms\tallow\tDE\n`);
    assert.equal((await runCli(SQLITE_PATH, 'geo', 'list', '--account', sid)).out, `account\tsms\tblock\tFR,DE\n${va}\tsms\tallow\tDE\n`);

    assert.equal((await api.verifications.create({ to: '+4915123456789', channel: 'sms' })).status, 'pending', "the service's rule allows DE");
    await rejectsWith(api.verifications.create({ to: '+15017122661', channel: 'sms' }), 403, 60605);

    assert.equal((await runCli(SQLITE_PATH, 'geo', 'clear', '--account', sid, '--service', va, '--channel', 'sms')).out, 'cleared sms\n');
    assert.equal((await api.verifications.create({ to: '+15017122661', channel: 'sms' })).status, 'pending');
    await rejectsWith(api.verifications.create({ to: '+33612345678', channel: 'sms' }), 403, 60605);

    for (const [args, code, err] of [
      [['set', '--account', sid, '--channel', 'email', '--block', 'FR'], 2, /--channel must be one of sms, call, whatsapp, sna/],
      [['set', '--account', sid, '--channel', 'sms', '--block', 'FRA'], 2, /not ISO 3166-1 alpha-2 country codes: FRA/],
      [['set', '--account', sid, '--channel', 'sms', '--block', 'FR', '--allow', 'US'], 2, /exactly one of --allow or --block/],
      [['set', '--account', sid, '--service', `VA${'0'.repeat(32)}`, '--channel', 'sms', '--block', 'FR'], 1, /unknown service/],
      [['list', '--account', `AC${'0'.repeat(32)}`], 1, /unknown account/],
    ] as const) {
      const bad = await runCli(SQLITE_PATH, 'geo', ...args);
      assert.equal(bad.code, code, bad.err);
      assert.match(bad.err, err);
      assert.equal(bad.out, '');
    }
    assert.equal((await runCli(SQLITE_PATH, 'geo', 'list', '--account', sid)).out, `account\tsms\tblock\tFR,DE\n`, 'bad input stored nothing');
  } finally {
    await signal(server, 'SIGTERM');
  }
});
