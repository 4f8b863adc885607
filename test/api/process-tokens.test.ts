/**
 * The credential commands and the bootstrap token in the real entry points (src/cli.ts and
 * src/main.ts as processes), on SQLite (keys generated beside the file) and PostgreSQL (TOKEN_KEYS
 * from the environment): `account rotate-token` / `promote-token`, `api-key list` / `delete`, and
 * a start whose TWILIO_AUTH_TOKEN is no longer the stored primary: a warning naming the rotation
 * command, no token in the output, the stored token still in force (issue 14).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BACKENDS } from '../support/databases.js';
import { accountOn, durableEnv, killAll, processDatabase, signal, spawnEntry, startVerifyd, type Proc } from '../support/processes.js';

after(killAll);

/** Runs the CLI to its end: its exit code and output. */
async function cli(env: Record<string, string>, ...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawnEntry('src/cli.ts', env, args);
  const { code } = await p.exited;
  return { code, out: p.out(), err: p.err() };
}

const valueOf = (out: string, name: string) => new RegExp(`^${name}=(.+)$`, 'm').exec(out)?.[1] ?? assert.fail(`no ${name} in ${out}`);

const works = async (base: string, sid: string, token: string) => {
  try {
    await accountOn(base, sid, token).client.verify.v2.services.list({ limit: 1 });
    return true;
  } catch (err) {
    assert.equal((err as { status: number }).status, 401, String(err));
    return false;
  }
};

const warnings = (p: Proc) => p.out().split('\n').filter((l) => l.includes('"level":40'));

for (const { name } of BACKENDS) {
  test(`cli rotate/promote and api-key list/delete; a stale TWILIO_AUTH_TOKEN is warned about, the stored token stays [${name}]`, async (t) => {
    const db = await processDatabase(name);
    if ('skip' in db) return void t.skip(db.skip);
    try {
      const { env, sid, token } = durableEnv(db);
      const first = await startVerifyd(env);
      assert.equal(await works(first.base, sid, token), true);
      assert.deepEqual(warnings(first), [], 'the token is the stored one: no warning');
      assert.equal((await signal(first, 'SIGTERM')).code, 0);

      const rotated = await cli(env, 'account', 'rotate-token', '--account', sid);
      assert.equal(rotated.code, 0, rotated.err);
      const secondary = valueOf(rotated.out, 'TWILIO_SECONDARY_AUTH_TOKEN');
      const key = await cli(env, 'api-key', 'create', '--account', sid, '--name', 'ci');
      const keySid = valueOf(key.out, 'API_KEY_SID');
      const listed = await cli(env, 'api-key', 'list', '--account', sid);
      assert.equal(listed.code, 0, listed.err);
      assert.match(listed.out, new RegExp(`^${keySid}\\tci\\t\\d{4}-`, 'm'));
      assert.ok(!listed.out.includes(valueOf(key.out, 'API_KEY_SECRET')), 'never a secret');
      const deleted = await cli(env, 'api-key', 'delete', keySid);
      assert.equal(deleted.code, 0, deleted.err);
      assert.equal((await cli(env, 'api-key', 'list', '--account', sid)).out, '');
      assert.equal((await cli(env, 'api-key', 'delete', keySid)).code, 1, 'unknown the second time');

      const promoted = await cli(env, 'account', 'promote-token', '--account', sid);
      assert.equal(promoted.code, 0, promoted.err);
      assert.equal((await cli(env, 'account', 'promote-token', '--account', sid)).code, 1, 'no secondary left');

      // TWILIO_AUTH_TOKEN still holds the old primary: the start warns and keeps the stored token.
      const second = await startVerifyd(env);
      try {
        const warned = warnings(second);
        assert.equal(warned.length, 1, second.out());
        assert.match(warned[0]!, /TWILIO_AUTH_TOKEN is not the primary auth token stored for AC/);
        assert.match(warned[0]!, new RegExp(`account rotate-token --account ${sid}`));
        for (const secret of [token, secondary]) assert.ok(!(second.out() + second.err()).includes(secret), 'no token in the output');
        assert.equal(await works(second.base, sid, token), false, 'the variable does not bring the old token back');
        assert.equal(await works(second.base, sid, secondary), true, 'the stored (promoted) token stays in force');
      } finally {
        await signal(second, 'SIGTERM');
      }
    } finally {
      await db.drop();
    }
  });
}
