/**
 * docs/errors.md and ERROR_CATALOG (src/domain/errors.ts) must not drift: the table lists exactly
 * the catalog's codes, each with the catalog's HTTP status and default message.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CATALOG, TwilioError, notFound, type ErrorCode } from '../../src/domain/errors.js';

const DOC = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

interface Row {
  code: number;
  status: number;
  message: string;
  when: string;
}

/** The rows of the first table whose header starts with `| Code | HTTP status |`. */
function parseTable(md: string): Row[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => /^\|\s*Code\s*\|\s*HTTP status\s*\|/.test(l));
  assert.ok(start >= 0, 'docs/errors.md has no "| Code | HTTP status |" table');
  assert.match(lines[start + 1] ?? '', /^\|[-|\s:]+\|$/, 'the header is followed by a separator row');
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    assert.equal(cells.length, 4, `row has 4 cells: ${line}`);
    const [code, status, message, when] = cells as [string, string, string, string];
    assert.match(code, /^\d+$/, `code cell is a number: ${line}`);
    assert.match(status, /^\d{3}$/, `status cell is an HTTP status: ${line}`);
    rows.push({ code: Number(code), status: Number(status), message, when });
  }
  return rows;
}

const rows = parseTable(DOC);
const catalogCodes = Object.keys(ERROR_CATALOG).map(Number).sort((a, b) => a - b);

test('the table lists every catalog code exactly once, and nothing else', () => {
  const documented = rows.map((r) => r.code);
  assert.equal(new Set(documented).size, documented.length, `duplicate rows: ${documented}`);
  assert.deepEqual([...documented].sort((a, b) => a - b), catalogCodes);
});

test('each row has the catalog HTTP status and default message, and says when it is answered', () => {
  for (const row of rows) {
    const entry = ERROR_CATALOG[row.code as ErrorCode];
    assert.equal(row.status, entry.status, `HTTP status of ${row.code}`);
    assert.equal(row.message, entry.message, `default message of ${row.code}`);
    assert.ok(row.when.length > 10, `"when" column of ${row.code} is filled in`);
  }
});

test('the documented exceptions hold: 415 with code 400, 20404 path without /v2', () => {
  assert.match(DOC, /415[^\n]*code `400`/);
  const unsupported = new TwilioError(400, 'x', { status: 415 }).toJSON();
  assert.deepEqual(unsupported, { code: 400, message: 'x', more_info: 'https://www.twilio.com/docs/errors/400', status: 415 });

  assert.match(DOC, /The requested resource \/Services\/VA…\/Verifications\/VE… was not found/);
  const sid = `VA${'a'.repeat(32)}`;
  assert.equal(notFound(`/Services/${sid}/Verifications/VE1`).message, `The requested resource /Services/${sid}/Verifications/VE1 was not found`);
});

test('every catalog error serializes to exactly {code, message, more_info, status}', () => {
  for (const code of catalogCodes) {
    const body = new TwilioError(code as ErrorCode).toJSON();
    assert.deepEqual(Object.keys(body).sort(), ['code', 'message', 'more_info', 'status']);
    assert.equal(body.more_info, `https://www.twilio.com/docs/errors/${code}`);
    assert.equal(body.status, ERROR_CATALOG[code as ErrorCode].status);
  }
});
