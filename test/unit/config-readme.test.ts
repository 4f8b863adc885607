/** README's Configuration table against the schema: the same variables, and the same defaults. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { ENV } from '../../src/config/schema.js';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/**
 * Each variable of the table with the default it states: a cell part that is one `value` is a
 * default; prose ("unset", "generated into ...", "AWS") states none. A row may name several
 * variables (`HOST` / `PORT`), with as many defaults.
 */
function readmeTable(): Map<string, string | undefined> {
  const section = README.split('## Configuration')[1]?.split('\n### ')[0] ?? '';
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  const table = new Map<string, string | undefined>();
  for (const row of rows) {
    const [names = '', defaults = ''] = row.split(' | ');
    const vars = names.replace(/^\| /, '').split(' / ');
    const defs = defaults.split(' / ');
    vars.forEach((v, i) => {
      const stated = vars.length === defs.length ? /^`([^`]*)`$/.exec(defs[i]!.trim())?.[1] : undefined;
      table.set(v.replace(/`/g, '').trim(), stated);
    });
  }
  return table;
}

const schemaDefault = (key: string): string | undefined => (ENV.shape[key as keyof typeof ENV.shape].meta() as { default?: string } | undefined)?.default;

test('README lists every variable the schema reads, and no other', () => {
  const table = readmeTable();
  assert.ok(table.size > 20, `the table was found (${table.size} variables)`);
  assert.deepEqual([...table.keys()].sort(), Object.keys(ENV.shape).sort());
});

test('README states the schema defaults, and only those', () => {
  for (const [key, stated] of readmeTable()) {
    assert.equal(stated, schemaDefault(key), `${key}: README says ${stated ?? 'no value'}, the schema ${schemaDefault(key) ?? 'none'}`);
  }
});
