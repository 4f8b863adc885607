/**
 * The guard CLI as a process on a temporary SQLite file, beside a running verifyd (development
 * mode: the guard is off by default): `guard set` switches a service on at a level, which the
 * server applies at once (a burst to consecutive numbers then answers 60410), `guard report` shows
 * the levels and the blocks per service, prefix and reason, `--level default` forgets the level, and
 * bad input exits non-zero saying why.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { THRESHOLDS } from '../../src/domain/protection/pumping.js';
import { rejectsWith } from '../support/assertions.js';
import { accountOn, cleanUpCliDirs, cliDatabase, killAll, runCli, signal, startVerifyd } from '../support/processes.js';

after(() => {
  killAll();
  cleanUpCliDirs();
});

const gb = (n: number) => `+4474001${String(n).padStart(5, '0')}`;

test('guard set and report from the CLI switch a service on and count its blocks', async () => {
  const { SQLITE_PATH, sid, token } = await cliDatabase('verifyd-guard-cli-');
  const server = await startVerifyd({ SQLITE_PATH });
  try {
    const { client } = accountOn(server.base, sid, token);
    const va = (await client.verify.v2.services.create({ friendlyName: 'Acme' })).sid;
    const api = client.verify.v2.services(va);
    const max = THRESHOLDS.max.rangeMax;
    for (let i = 0; i <= max; i++) assert.equal((await api.verifications.create({ to: gb(i), channel: 'sms' })).status, 'pending', 'off in development');

    const set = await runCli(SQLITE_PATH, 'guard', 'set', '--account', sid, '--service', va, '--level', 'max');
    assert.equal(set.code, 0, set.err);
    assert.equal(set.out, `${va}\tlevel\tmax\n`);
    for (let i = 100; i < 100 + max; i++) assert.equal((await api.verifications.create({ to: gb(i), channel: 'sms' })).status, 'pending');
    await rejectsWith(api.verifications.create({ to: gb(200), channel: 'sms' }), 403, 60410);
    await rejectsWith(api.verifications.create({ to: gb(201), channel: 'sms' }), 403, 60410);

    const report = await runCli(SQLITE_PATH, 'guard', 'report', '--account', sid);
    assert.equal(report.code, 0, report.err);
    const lines = report.out.trim().split('\n').map((l) => l.split('\t'));
    assert.deepEqual(lines[0], [va, 'level', 'max']);
    assert.deepEqual(lines[1]!.slice(0, 4), [va, '+44740', 'consecutive_numbers', '2']);
    assert.equal(lines.length, 2);

    assert.equal((await runCli(SQLITE_PATH, 'guard', 'set', '--account', sid, '--service', va, '--level', 'default')).out, `${va}\tlevel\tdefault\n`);
    assert.equal((await api.verifications.create({ to: gb(202), channel: 'sms' })).status, 'pending', 'the default (off) again');

    for (const [args, code, err] of [
      [['set', '--account', sid, '--service', va, '--level', 'strict'], 2, /--level must be one of off, basic, standard, max, default/],
      [['set', '--account', sid, '--service', `VA${'0'.repeat(32)}`, '--level', 'max'], 1, /unknown service/],
      [['report', '--account', `AC${'0'.repeat(32)}`], 1, /unknown account/],
    ] as const) {
      const bad = await runCli(SQLITE_PATH, 'guard', ...args);
      assert.equal(bad.code, code, bad.err);
      assert.match(bad.err, err);
      assert.equal(bad.out, '');
    }
  } finally {
    await signal(server, 'SIGTERM');
  }
});
