import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  SUPPORTED_LOCALES,
  canonicalLocale,
  isSupportedLocale,
  localeForCountry,
  resolveLocale,
} from '../../src/domain/locale.js';

test('supported list holds the Twilio languages without duplicates', () => {
  for (const l of ['af', 'ar', 'zh-HK', 'en-GB', 'pt-BR', 'nb', 'tl', 'bg']) {
    assert.ok(SUPPORTED_LOCALES.includes(l), l);
  }
  const lower = SUPPORTED_LOCALES.map((l) => l.toLowerCase());
  assert.equal(new Set(lower).size, lower.length);
});

test('locale matching ignores case and returns the canonical spelling', () => {
  assert.equal(canonicalLocale('pt-br'), 'pt-BR');
  assert.equal(canonicalLocale('ZH-hk'), 'zh-HK');
  assert.equal(canonicalLocale('EN'), 'en');
  assert.equal(canonicalLocale('xx'), undefined);
  assert.equal(canonicalLocale('pt_BR'), undefined);
  assert.ok(isSupportedLocale('pt-br'));
  assert.ok(isSupportedLocale('Es'));
  assert.ok(!isSupportedLocale('klingon'));
  assert.ok(!isSupportedLocale(''));
});

test('countries map to the locale people there most likely read', () => {
  const cases: Array<[string | undefined, string]> = [
    ['BR', 'pt-BR'],
    ['PT', 'pt'],
    ['US', 'en'],
    ['CA', 'en'],
    ['GB', 'en-GB'],
    ['FR', 'fr'],
    ['DE', 'de'],
    ['AT', 'de'],
    ['CH', 'de'],
    ['MX', 'es'],
    ['ES', 'es'],
    ['AR', 'es'],
    ['CN', 'zh-CN'],
    ['HK', 'zh-HK'],
    ['TW', 'zh'],
    ['JP', 'ja'],
    ['IN', 'hi'],
    ['PH', 'tl'],
    ['NO', 'nb'],
    ['UA', 'uk'],
    ['br', 'pt-BR'],
    ['ZZ', 'en'],
    ['', 'en'],
    [undefined, 'en'],
  ];
  for (const [country, locale] of cases) {
    assert.equal(localeForCountry(country), locale, String(country));
  }
});

test('every mapped locale is a supported one', () => {
  const countries = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const a of countries) {
    for (const b of countries) {
      assert.ok(SUPPORTED_LOCALES.includes(localeForCountry(a + b)), a + b);
    }
  }
});

test('requested locale wins, then country, then English', () => {
  assert.equal(resolveLocale('pt-br', 'US'), 'pt-BR');
  assert.equal(resolveLocale('fr', 'BR'), 'fr');
  assert.equal(resolveLocale(undefined, 'BR'), 'pt-BR');
  assert.equal(resolveLocale('', 'GB'), 'en-GB');
  assert.equal(resolveLocale(undefined, undefined), 'en');
  assert.equal(resolveLocale(undefined, 'ZZ'), 'en');
});
