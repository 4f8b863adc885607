/** PRICE_TABLE: parsePriceTable's validation (each error names the bad entry) and priceFor's precedence. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePriceTable } from '../../src/config/prices.js';
import { NO_PRICES, priceFor } from '../../src/domain/prices.js';

const throwsWith = (json: string, message: string | RegExp) =>
  assert.throws(() => parsePriceTable(json), (err: Error) => {
    if (typeof message === 'string') assert.equal(err.message, message, json);
    else assert.match(err.message, message, json);
    return true;
  });

test('parsePriceTable: a full table, currency lower-cased; absent parts are empty, currency usd', () => {
  const t = parsePriceTable('{"currency":"EUR","default":{"sms":"0.05","email":"0"},"countries":{"US":{"sms":"0.0079","call":"0.013"}}}');
  assert.deepEqual(t, { currency: 'eur', default: { sms: '0.05', email: '0' }, countries: { US: { sms: '0.0079', call: '0.013' } } });
  assert.deepEqual(parsePriceTable('{}'), { currency: 'usd', default: {}, countries: {} });
  assert.deepEqual(parsePriceTable('{"default":{"whatsapp":"1"}}'), { currency: 'usd', default: { whatsapp: '1' }, countries: {} });
  assert.deepEqual(parsePriceTable('{"countries":{"GB":{}}}'), { currency: 'usd', default: {}, countries: { GB: {} } });
  // Every delivery channel may be priced, sna included; the largest and the most precise decimals.
  const all = parsePriceTable('{"default":{"sms":"1","call":"2","whatsapp":"3","email":"4","sna":"5"},"countries":{"CO":{"sms":"999999999.999999999"}}}');
  assert.deepEqual(Object.keys(all.default).sort(), ['call', 'email', 'sms', 'sna', 'whatsapp']);
  assert.equal(all.countries.CO?.sms, '999999999.999999999');
  // null means absent, as before.
  assert.deepEqual(parsePriceTable('{"currency":null,"default":null,"countries":null}'), { currency: 'usd', default: {}, countries: {} });
});

test('parsePriceTable: not JSON, or not an object, is refused', () => {
  assert.throws(() => parsePriceTable('{'), SyntaxError);
  assert.throws(() => parsePriceTable(''), SyntaxError);
  for (const json of ['null', '[]', '5', '"usd"', 'true']) throwsWith(json, 'must be a JSON object with currency, default and countries');
});

test('parsePriceTable: an unknown top-level key (a typo) is refused, naming it', () => {
  throwsWith('{"defaults":{"sms":"0.05"}}', 'defaults is not one of currency, default, countries');
  throwsWith('{"currency":"usd","country":{}}', 'country is not one of currency, default, countries');
});

test('parsePriceTable: currency must be a 3-letter code', () => {
  for (const c of ['"us"', '"usdd"', '"u1d"', '""', '5', '["usd"]', '{}']) throwsWith(`{"currency":${c}}`, 'currency must be a 3-letter code');
});

test('parsePriceTable: default and each country must be an object of channel: "price"', () => {
  for (const v of ['[]', '"0.05"', '5', 'true']) {
    throwsWith(`{"default":${v}}`, 'default must be an object of channel: "price"');
    throwsWith(`{"countries":{"US":${v}}}`, 'countries.US must be an object of channel: "price"');
  }
  throwsWith('{"countries":{"US":null}}', 'countries.US must be an object of channel: "price"');
  for (const v of ['[]', '"US"', '5']) throwsWith(`{"countries":${v}}`, 'countries must be an object');
});

test('parsePriceTable: country keys must be upper-case ISO 3166 alpha-2', () => {
  for (const cc of ['us', 'USA', 'U', '1A', 'U S', '']) throwsWith(`{"countries":{"${cc}":{"sms":"1"}}}`, `countries.${cc} is not an ISO 3166 alpha-2 code`);
});

test('parsePriceTable: channels must be delivery channels', () => {
  for (const ch of ['auto', 'SMS', 'voice', 'rbm', '']) {
    throwsWith(`{"default":{"${ch}":"1"}}`, `default.${ch} is not a channel`);
    throwsWith(`{"countries":{"GB":{"${ch}":"1"}}}`, `countries.GB.${ch} is not a channel`);
  }
});

test('parsePriceTable: prices must be non-negative decimal strings, at most 9+9 digits', () => {
  const bad = ['0.05', '-1', '"-1"', '"1e-3"', '".5"', '"5."', '"1,5"', '" 1"', '"1 "', '""', '"abc"', '"1234567890"', '"1.1234567890"', 'null', '["1"]', '"0x10"', '"+1"'];
  for (const p of bad) {
    throwsWith(`{"default":{"sms":${p}}}`, 'default.sms must be a decimal string like "0.0079"');
    throwsWith(`{"countries":{"US":{"call":${p}}}}`, 'countries.US.call must be a decimal string like "0.0079"');
  }
  for (const p of ['0', '0.0079', '12', '123456789', '1.000000000']) assert.equal(parsePriceTable(`{"default":{"sms":"${p}"}}`).default.sms, p);
});

test('parsePriceTable: the first bad entry is named (countries are checked before default)', () => {
  throwsWith('{"currency":"x","default":{"bad":"1"}}', 'currency must be a 3-letter code');
  throwsWith('{"default":{"sms":"1","call":"x"}}', 'default.call must be a decimal string like "0.0079"');
  throwsWith('{"default":{"bad":"1"},"countries":{"us":{}}}', 'countries.us is not an ISO 3166 alpha-2 code');
});

test('priceFor: country+channel, else default+channel, else null; currency from the table', () => {
  const t = parsePriceTable('{"currency":"usd","default":{"sms":"0.05","email":"0.001"},"countries":{"US":{"sms":"0.0079","call":"0.013"},"GB":{"whatsapp":"0.02"}}}');
  // The country's own price wins over the default.
  assert.deepEqual(priceFor(t, 'sms', 'US'), { value: '0.0079', currency: 'usd' });
  assert.deepEqual(priceFor(t, 'call', 'US'), { value: '0.013', currency: 'usd' });
  // The country lists other channels only: the channel's default applies.
  assert.deepEqual(priceFor(t, 'sms', 'GB'), { value: '0.05', currency: 'usd' });
  assert.deepEqual(priceFor(t, 'whatsapp', 'GB'), { value: '0.02', currency: 'usd' });
  // A country not in the table, and no country at all (email): the default.
  assert.deepEqual(priceFor(t, 'sms', 'CO'), { value: '0.05', currency: 'usd' });
  assert.deepEqual(priceFor(t, 'email', null), { value: '0.001', currency: 'usd' });
  assert.deepEqual(priceFor(t, 'sms', null), { value: '0.05', currency: 'usd' });
  // Neither the country nor the default prices the channel: null.
  assert.equal(priceFor(t, 'call', 'GB'), null);
  assert.equal(priceFor(t, 'call', null), null);
  assert.equal(priceFor(t, 'whatsapp', 'US'), null);
  assert.equal(priceFor(t, 'sna', 'US'), null);
  // A price of zero is a price, not an absence.
  const zero = parsePriceTable('{"currency":"GBP","countries":{"GB":{"sms":"0"}},"default":{"sms":"1"}}');
  assert.deepEqual(priceFor(zero, 'sms', 'GB'), { value: '0', currency: 'gbp' });
});

test('priceFor: the empty table prices nothing', () => {
  for (const ch of ['sms', 'call', 'whatsapp', 'email', 'sna'] as const) {
    assert.equal(priceFor(NO_PRICES, ch, 'US'), null);
    assert.equal(priceFor(NO_PRICES, ch, null), null);
  }
});

test('PRICE_TABLE that is not JSON is reported by position, never by quoting it (the file may hold secrets)', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { loadConfig, ConfigError } = await import('../../src/config/config.js');
  const secret = 'hunter2-not-for-logs';
  assert.throws(() => parsePriceTable(`{"currency": ${secret}}`), (err: Error) => {
    assert.doesNotMatch(err.message, /hunter2/);
    assert.match(err.message, /^is not valid JSON/);
    return true;
  });
  const dir = mkdtempSync(join(tmpdir(), 'verifyd-prices-'));
  try {
    const file = join(dir, 'prices.json');
    writeFileSync(file, `AWS_SECRET_ACCESS_KEY=${secret}\n`);
    assert.throws(() => loadConfig({ SQLITE_PATH: join(dir, 'db'), CODE_KEYS: `k:${'x'.repeat(32)}`, PRICE_TABLE: `@${file}` }), (err: Error) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, /PRICE_TABLE/);
      assert.doesNotMatch(err.message, /hunter2|AWS_SECRET/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
