/** CodeKeyring: code derivation (shape, determinism, no modulo bias), keyed hashes, rotation, parsing. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { CodeKeyring, parseCodeKeys, type CodeKey } from '../../src/domain/code/keys.js';

const k1: CodeKey = { id: 'k1', secret: Buffer.alloc(32, 1) };
const k2: CodeKey = { id: 'k2', secret: Buffer.alloc(32, 2) };
const VE = `VE${'a'.repeat(32)}`;

test('deriveCode: the requested length, digits only, for every length 4..10', () => {
  const ring = new CodeKeyring([k1]);
  for (let len = 4; len <= 10; len++) {
    for (let i = 0; i < 200; i++) {
      const code = ring.deriveCode('k1', CodeKeyring.newSeed(), len);
      assert.match(code ?? '', new RegExp(`^[0-9]{${len}}$`));
    }
  }
  // Long codes span several HMAC blocks and stay digits.
  assert.match(ring.deriveCode('k1', 'seed', 500) ?? '', /^[0-9]{500}$/);
  assert.equal(ring.deriveCode('nope', 'seed', 6), undefined);
});

test('deriveCode: deterministic per seed and key, different across seeds and keys', () => {
  const ring = new CodeKeyring([k1, k2]);
  assert.equal(ring.deriveCode('k1', 'seed-A', 6), new CodeKeyring([k1]).deriveCode('k1', 'seed-A', 6));
  // A shorter code is a prefix of a longer one from the same seed (one digit stream).
  assert.ok((ring.deriveCode('k1', 'seed-A', 10) ?? '').startsWith(ring.deriveCode('k1', 'seed-A', 6) ?? 'x'));
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(ring.deriveCode('k1', `seed-${i}`, 10) ?? '');
  assert.equal(seen.size, 1000, 'distinct seeds give distinct 10-digit codes');
  let same = 0;
  for (let i = 0; i < 200; i++) if (ring.deriveCode('k1', `s${i}`, 10) === ring.deriveCode('k2', `s${i}`, 10)) same++;
  assert.equal(same, 0, 'another key gives other codes');
  assert.notEqual(CodeKeyring.newSeed(), CodeKeyring.newSeed());
});

/**
 * Digit counts over many derived codes. Inputs are fixed (key and seeds), so the statistic is
 * deterministic: this never flakes, and it is checked against a biased reference below.
 */
function digitCounts(derive: (seed: string) => string, digits: number): number[] {
  const counts = new Array<number>(10).fill(0);
  let n = 0;
  for (let i = 0; n < digits; i++) {
    for (const ch of derive(`uniformity-${i}`)) {
      if (n++ >= digits) break;
      counts[Number(ch)]! += 1;
    }
  }
  return counts;
}

const chiSquare = (counts: number[]) => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.reduce((sum, c) => sum + (c - total / 10) ** 2 / (total / 10), 0);
};

/** What `byte % 10` over every HMAC byte would give: 0..5 are drawn 26/256 of the time, 6..9 25/256. */
function biasedDerive(key: CodeKey, seed: string, length: number): string {
  let digits = '';
  for (let block = 0; digits.length < length; block++) {
    for (const b of createHmac('sha256', key.secret).update(`code|${seed}|${block}`).digest()) {
      digits += String(b % 10);
      if (digits.length === length) break;
    }
  }
  return digits;
}

test('deriveCode: 20,000 digits, no digit far from 10%', () => {
  const ring = new CodeKeyring([k1]);
  const counts = digitCounts((seed) => ring.deriveCode('k1', seed, 10) ?? '', 20_000);
  // sd of one count is sqrt(20000 * 0.1 * 0.9) ≈ 42; 6 sd is generous.
  for (const [digit, c] of counts.entries()) assert.ok(Math.abs(c - 2000) < 250, `digit ${digit}: ${c} of 20000`);
  // 9 degrees of freedom: P(chi² > 40) < 1e-5.
  assert.ok(chiSquare(counts) < 40, `chi² = ${chiSquare(counts).toFixed(1)} over ${counts}`);
});

test('deriveCode: no modulo bias, with a test that catches `% 10` over all bytes', () => {
  // `% 10` over all bytes shifts each digit by only ~2% of its count, which 20,000 digits cannot
  // tell from noise (chi² ≈ 7 expected from the bias vs 9 from chance). 400,000 digits can:
  // the bias alone adds ≈ 146 to chi², against a bound of 50 (P < 1e-6 for an unbiased source).
  const DIGITS = 400_000;
  const BOUND = 50;
  const ring = new CodeKeyring([k1]);
  const fair = chiSquare(digitCounts((seed) => ring.deriveCode('k1', seed, 10) ?? '', DIGITS));
  const biased = chiSquare(digitCounts((seed) => biasedDerive(k1, seed, 10), DIGITS));
  assert.ok(biased > BOUND, `the check has the power to see modulo bias (chi² of the biased reference = ${biased.toFixed(1)})`);
  assert.ok(fair < BOUND, `chi² = ${fair.toFixed(1)} for deriveCode`);
  // The low digits (0..5) are the ones modulo bias favours: their share stays at 60%.
  const counts = digitCounts((seed) => ring.deriveCode('k1', seed, 10) ?? '', DIGITS);
  const low = counts.slice(0, 6).reduce((a, b) => a + b, 0) / DIGITS;
  assert.ok(Math.abs(low - 0.6) < 0.004, `share of 0..5 is ${low} (biased would be 0.609)`);
});

test('hash and matches: right code, wrong code, other verification, rotation, removed key', () => {
  const ring = new CodeKeyring([k1]);
  const stored = ring.hash('k1', VE, '123456') ?? '';
  assert.ok(stored.length > 20);
  assert.ok(!stored.includes('123456'));
  assert.equal(ring.matches('k1', VE, '123456', stored), true);
  assert.equal(ring.matches('k1', VE, '123457', stored), false);
  assert.equal(ring.matches('k1', VE, '1234560', stored), false);
  assert.equal(ring.matches('k1', VE, '', stored), false);
  assert.equal(ring.matches('k1', `VE${'b'.repeat(32)}`, '123456', stored), false, 'bound to its verification');
  assert.equal(ring.matches('k1', VE, '123456', stored.slice(0, -1)), false, 'a truncated hash never matches');
  assert.equal(ring.matches('k1', VE, '123456', ''), false);

  // Rotation: the new key first, the old one kept; old hashes still match, new ones use the new key.
  const rotated = new CodeKeyring([k2, k1]);
  assert.equal(rotated.current.id, 'k2');
  assert.equal(rotated.matches('k1', VE, '123456', stored), true);
  assert.equal(rotated.matches('k2', VE, '123456', stored), false, 'a hash is checked with the key it was made with');
  const fresh = rotated.hash(rotated.current.id, VE, '654321') ?? '';
  assert.notEqual(fresh, ring.hash('k1', VE, '654321'));
  assert.equal(rotated.matches('k2', VE, '654321', fresh), true);
  // The same secret under the same id derives the same code after rotation.
  assert.equal(rotated.deriveCode('k1', 'seed', 6), ring.deriveCode('k1', 'seed', 6));

  // The old key removed: its hashes no longer match, nothing is derived from it.
  const dropped = new CodeKeyring([k2]);
  assert.equal(dropped.matches('k1', VE, '123456', stored), false);
  assert.equal(dropped.hash('k1', VE, '123456'), undefined);
  assert.equal(dropped.deriveCode('k1', 'seed', 6), undefined);
  assert.equal(dropped.snaToken('k1', 'VL1'), undefined);
  assert.throws(() => new CodeKeyring([]), /at least one code key/);
});

test('parseCodeKeys', () => {
  const s32 = 'x'.repeat(32);
  assert.deepEqual(parseCodeKeys(`a:${s32}`), [{ id: 'a', secret: Buffer.from(s32) }]);
  const two = parseCodeKeys(` new:${'n'.repeat(64)} ,old:${s32}:with:colons `);
  assert.deepEqual(two.map((k) => k.id), ['new', 'old']);
  assert.equal(two[1]?.secret.toString(), `${s32}:with:colons`, 'only the first colon splits');
  assert.deepEqual(parseCodeKeys(`a:${s32},,`).map((k) => k.id), ['a'], 'empty entries are skipped');

  assert.throws(() => parseCodeKeys('short'), /must look like id:secret/);
  assert.throws(() => parseCodeKeys(`:${s32}`), /must look like id:secret/);
  assert.throws(() => parseCodeKeys(`a:${'x'.repeat(31)}`), /at least 32 bytes/);
  assert.throws(() => parseCodeKeys(`a:${s32},b:short`), /at least 32 bytes/);
  assert.throws(() => parseCodeKeys(''), /no id:secret entry/);
  assert.throws(() => parseCodeKeys(' , '), /no id:secret entry/);
  assert.throws(() => parseCodeKeys(`a:${s32},a:${'y'.repeat(32)}`), /the id "a" twice/);
  // Multi-byte characters count as bytes: 11 × "€" (3 bytes each) = 33 bytes.
  assert.equal(parseCodeKeys(`e:${'€'.repeat(11)}`)[0]?.secret.length, 33);
});

test('seal/open: a custom code for the send queue, unreadable, bound to its attempt, opened after a rotation while its key is kept', () => {
  const ring = new CodeKeyring([k1]);
  const { keyId, sealed } = ring.seal('40713952', 'VL1');
  assert.equal(keyId, 'k1');
  assert.ok(!sealed.includes('40713952'));
  assert.notEqual(ring.seal('40713952', 'VL1').sealed, sealed, 'a fresh IV each time');
  assert.equal(ring.open(keyId, sealed, 'VL1'), '40713952');
  assert.equal(ring.open(keyId, sealed, 'VL2'), undefined, 'another attempt');
  const tampered = Buffer.from(sealed, 'base64url');
  tampered[tampered.length - 1]! ^= 1;
  assert.equal(ring.open(keyId, tampered.toString('base64url'), 'VL1'), undefined, 'tampered');
  assert.equal(new CodeKeyring([k2, k1]).open(keyId, sealed, 'VL1'), '40713952', 'the old key still opens it');
  assert.equal(new CodeKeyring([k2]).open(keyId, sealed, 'VL1'), undefined, 'its key dropped');
});
