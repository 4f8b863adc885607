import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CredentialRules, type CredentialCheck } from '../../src/api/plugins/auth.js';

const account: CredentialCheck = async () => undefined;
const health: CredentialCheck = async () => undefined;
const scope = (prefix: string) => ({ prefix, addHook: () => undefined }) as unknown as FastifyInstance;

test('a URL the router rejects gets the rule of the scope it falls under, by prefix as fastify matches them', () => {
  const rules = new CredentialRules(account);
  rules.require(scope(''), account);
  rules.require(scope('/inbox'), account);
  rules.require(scope('/sna/'), null);
  rules.require(scope('/healthz'), health);
  const cases: Array<[string, CredentialCheck | null]> = [
    ['/sna/%ZZ', null],
    ['/sna/', null],
    ['/sna/a/b?x=%ZZ', null],
    ['/sna', account],
    ['/snax/%ZZ', account],
    ['/healthz', health],
    ['/healthz/%ZZ', health],
    ['/healthz?x=1', health],
    ['/healthzz/%ZZ', account],
    ['/inbox/%ZZ', account],
    ['/v2/Services/%ZZ', account],
    ['/%ZZ', account],
  ];
  for (const [url, rule] of cases) assert.equal(rules.ruleFor(url), rule, url);
});

test('with no scope to match, the rule fails closed with 401', async () => {
  const check = new CredentialRules(account).ruleFor('/v2/Services');
  assert.ok(check);
  await assert.rejects(check({} as FastifyRequest), (err: { status?: number; code?: number }) => err.status === 401 && err.code === 20003);
});
