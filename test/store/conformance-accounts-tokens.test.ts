/**
 * Auth tokens at rest (issue 14), on SQLite and PostgreSQL: what the database holds is sealed under
 * TOKEN_KEYS (a dump yields no working credential), migration 013 plus the start-up step seal the
 * plain-text rows of older versions and re-seal under a newer key, and the secondary token, API key
 * list/delete and their announcements (onCredentialsChanged) behave as the port says.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseCodeKeys } from '../../src/domain/code/keys.js';
import { newSid } from '../../src/domain/ids.js';
import { TokenKeyMissing } from '../../src/storage/accounts.js';
import { connectStores, openStores, type StorageConfig } from '../../src/storage/open.js';
import { BACKENDS } from '../support/databases.js';
import { killAll, processDatabase, type ProcessDatabase } from '../support/processes.js';
import { T0, account } from './fixtures.js';

after(killAll);

const K1 = `k1:${'1'.repeat(32)}`;
const K2 = `k2:${'2'.repeat(32)}`;
const storage = (db: ProcessDatabase, keys?: string): StorageConfig => ({
  databaseUrl: db.env.DATABASE_URL ?? null,
  sqlitePath: db.env.SQLITE_PATH ?? '',
  poolSize: 2,
  tokenKeys: keys === undefined ? undefined : parseCodeKeys(keys, 'TOKEN_KEYS'),
});

type Row = { sid: string; auth_token: string; auth_token_key_id: string | null; secondary_token: string | null; secondary_token_key_id: string | null };
const dump = (db: ProcessDatabase) => db.query<Row>('SELECT * FROM accounts ORDER BY sid');

for (const { name } of BACKENDS) {
  test(`auth tokens are sealed at rest; a dump holds none [${name}]`, async (t) => {
    const db = await processDatabase(name);
    if ('skip' in db) return void t.skip(db.skip);
    const stores = await openStores(storage(db, K1));
    try {
      const a = account({ secondaryAuthToken: 'second-' + newSid('XX').slice(2, 12) });
      const b = account();
      await stores.accounts.insertAccount(a);
      await stores.accounts.insertAccount(b);
      const rows = await dump(db);
      const text = JSON.stringify(rows);
      for (const token of [a.authToken, a.secondaryAuthToken!, b.authToken]) assert.ok(!text.includes(token), 'no token in the raw rows');
      const rowA = rows.find((r) => r.sid === a.sid)!;
      assert.equal(rowA.auth_token_key_id, 'k1');
      assert.equal(rowA.secondary_token_key_id, 'k1');
      assert.deepEqual(await stores.accounts.getAccount(a.sid), a, 'opened again through the store');

      // Bound to its account: a sealed token copied into another account's row does not open there.
      await db.query('UPDATE accounts SET auth_token = ? WHERE sid = ?', [rowA.auth_token, b.sid]);
      await assert.rejects(stores.accounts.getAccount(b.sid), TokenKeyMissing);
    } finally {
      await stores.close();
      await db.drop();
    }
  });

  test(`secondary token, promotion, API key list/delete, each change announced [${name}]`, async (t) => {
    const db = await processDatabase(name);
    if ('skip' in db) return void t.skip(db.skip);
    const stores = await openStores(storage(db, K1));
    const heard: Array<string | null> = [];
    const stop = stores.accounts.onCredentialsChanged((sid) => heard.push(sid));
    try {
      const a = account();
      await stores.accounts.insertAccount(a);
      assert.equal(await stores.accounts.promoteSecondaryToken(a.sid), false, 'nothing to promote');
      assert.equal(await stores.accounts.setSecondaryToken(newSid('AC'), 'x'), false, 'no such account');
      assert.deepEqual(heard, [], 'no change, no announcement');

      assert.equal(await stores.accounts.setSecondaryToken(a.sid, 'second-one'), true);
      assert.equal(await stores.accounts.setSecondaryToken(a.sid, 'second-two'), true, 'a new secondary replaces the old');
      assert.deepEqual(await stores.accounts.getAccount(a.sid), { ...a, secondaryAuthToken: 'second-two' });
      assert.equal(await stores.accounts.promoteSecondaryToken(a.sid), true);
      assert.deepEqual(await stores.accounts.getAccount(a.sid), { ...a, authToken: 'second-two', secondaryAuthToken: null }, 'the old primary is gone');
      assert.ok(!JSON.stringify(await dump(db)).includes('second-two'));

      const keys = [3, 1, 2].map((n) => ({ sid: newSid('SK'), accountSid: a.sid, secretHash: 'ab'.repeat(32), friendlyName: `key ${n}`, dateCreated: T0 + n }));
      for (const k of keys) await stores.accounts.insertApiKey(k);
      const other = account();
      await stores.accounts.insertAccount(other);
      await stores.accounts.insertApiKey({ ...keys[0]!, sid: newSid('SK'), accountSid: other.sid });
      const byDate = [...keys].sort((x, y) => x.dateCreated - y.dateCreated);
      assert.deepEqual(await stores.accounts.listApiKeys(a.sid), byDate);
      assert.equal(await stores.accounts.deleteApiKey(byDate[0]!.sid), true);
      assert.equal(await stores.accounts.deleteApiKey(byDate[0]!.sid), false, 'deleted once');
      assert.equal(await stores.accounts.getApiKey(byDate[0]!.sid), undefined);
      assert.deepEqual(await stores.accounts.listApiKeys(a.sid), byDate.slice(1));
      assert.deepEqual(heard, [a.sid, a.sid, a.sid, a.sid], 'two secondaries, the promotion and the deletion');
    } finally {
      stop();
      await stores.close();
      await db.drop();
    }
  });

  test(`migration 013 and the start-up step seal plain-text tokens, re-seal under a new key, refuse a missing key [${name}]`, async (t) => {
    const db = await processDatabase(name);
    if ('skip' in db) return void t.skip(db.skip);
    try {
      // A database as the version before 013 left it, with a plain-text token.
      const old = connectStores(storage(db));
      await old.migrate('009-templates');
      await old.close();
      const sid = newSid('AC');
      const token = 'f'.repeat(32);
      await db.query('INSERT INTO accounts (sid, auth_token, friendly_name, date_created) VALUES (?, ?, ?, ?)', [sid, token, 'old', T0]);

      const first = await openStores(storage(db, K1));
      try {
        const [row] = await dump(db);
        assert.equal(row?.auth_token_key_id, 'k1');
        assert.notEqual(row?.auth_token, token);
        assert.ok(!JSON.stringify(row).includes(token));
        assert.equal((await first.accounts.getAccount(sid))?.authToken, token, 'the same credential still verifies');
      } finally {
        await first.close();
      }

      // A new key put first: the next start re-seals under it, so the old key can be dropped.
      const rotated = await openStores(storage(db, `${K2},${K1}`));
      await rotated.close();
      assert.equal((await dump(db))[0]?.auth_token_key_id, 'k2');
      const onlyNew = await openStores(storage(db, K2));
      assert.equal((await onlyNew.accounts.getAccount(sid))?.authToken, token);
      await onlyNew.close();

      // A key dropped too early: the start is refused, naming it, rather than serving unusable tokens.
      await assert.rejects(openStores(storage(db, `k3:${'3'.repeat(32)}`)), /TOKEN_KEYS lacks the key\(s\) "k2"/);
    } finally {
      await db.drop();
    }
  });
}
