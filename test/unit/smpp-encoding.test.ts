import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeMessage, isGsm7 } from '../../src/channels/smpp/encoding.js';
import { smppSettings, sourceAddress } from '../../src/channels/smpp/settings.js';

test('GSM-7 detection: the default alphabet and its extension table, nothing else', () => {
  assert.ok(isGsm7('Your Acme verification code is: 123456'));
  assert.ok(isGsm7('@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\n\r'));
  assert.ok(isGsm7('{}[]~|^\\€'), 'extension table');
  assert.equal(isGsm7('Tu código'), false, 'ó is not in GSM-7');
  assert.equal(isGsm7('Ваш код'), false);
  assert.equal(isGsm7('code 🔐'), false);
  assert.equal(isGsm7('`'), false, 'the backtick has no GSM-7 code');
});

test('one GSM-7 message up to 160 septets, unpacked, escapes counted twice', () => {
  const one = encodeMessage('a'.repeat(160), 7);
  assert.equal(one.dataCoding, 0);
  assert.equal(one.udh, false);
  assert.equal(one.parts.length, 1);
  assert.deepEqual([...encodeMessage('@A€', 0).parts[0]!], [0x00, 0x41, 0x1b, 0x65]);
  // 159 characters, one of them from the extension table: 160 septets, still one message.
  assert.equal(encodeMessage(`€${'a'.repeat(158)}`, 0).parts.length, 1);
  assert.equal(encodeMessage(`€${'a'.repeat(159)}`, 0).parts.length, 2);
});

test('a long GSM-7 text is split in parts of 153 septets with a concatenation UDH; an escape pair is never cut', () => {
  const m = encodeMessage('b'.repeat(152) + '€' + 'c'.repeat(10), 0x1ab);
  assert.equal(m.udh, true);
  assert.equal(m.parts.length, 2);
  const [p1, p2] = m.parts;
  assert.deepEqual([...p1!.subarray(0, 6)], [0x05, 0x00, 0x03, 0xab, 2, 1], 'IEI 0, 8-bit reference, total, sequence');
  assert.deepEqual([...p2!.subarray(0, 6)], [0x05, 0x00, 0x03, 0xab, 2, 2]);
  assert.equal(p1!.length, 6 + 152, 'the euro sign does not fit: it opens the next part');
  assert.deepEqual([...p2!.subarray(6, 8)], [0x1b, 0x65]);
  assert.equal(encodeMessage('x'.repeat(153 * 3), 0).parts.length, 3);
  assert.equal(encodeMessage('x'.repeat(153 * 3 + 1), 0).parts.length, 4);
});

test('UCS-2 (data_coding 8) for anything else: 70 characters in one, 67 per part, surrogate pairs kept whole', () => {
  const one = encodeMessage('ж'.repeat(70), 0);
  assert.equal(one.dataCoding, 8);
  assert.equal(one.parts.length, 1);
  assert.deepEqual([...encodeMessage('ж', 0).parts[0]!], [0x04, 0x36], 'big-endian');
  const two = encodeMessage('ж'.repeat(71), 0);
  assert.equal(two.parts.length, 2);
  assert.equal(two.parts[0]!.length, 6 + 134);
  const emoji = encodeMessage(`${'ж'.repeat(66)}🔐tail${'ж'.repeat(10)}`, 0);
  assert.equal(emoji.parts[0]!.length, 6 + 132, 'the pair that would straddle the parts moves to the second');
  assert.deepEqual([...emoji.parts[1]!.subarray(6, 10)], [0xd8, 0x3d, 0xdd, 0x10]);
});

test('source_addr TON/NPI from its form; the settings refuse what an SMSC would', () => {
  assert.deepEqual(sourceAddress('Acme'), { addr: 'Acme', ton: 5, npi: 0 });
  assert.deepEqual(sourceAddress('+15005550006'), { addr: '15005550006', ton: 1, npi: 1 });
  assert.deepEqual(sourceAddress('15005550006'), { addr: '15005550006', ton: 1, npi: 1 });
  assert.deepEqual(sourceAddress('12345'), { addr: '12345', ton: 3, npi: 0 });
  assert.equal(typeof sourceAddress('A very long sender'), 'string');
  const parse = (over: Record<string, unknown>) => smppSettings({ dir: '.' }).safeParse({ url: 'smpp://127.0.0.1', system_id: 'verifyd', password: 'pw', source_addr: 'Acme', ...over });
  const ok = parse({ url: 'smpps://smsc.example.com', source_addr_ton: 0 });
  assert.ok(ok.success);
  assert.equal(ok.data.port, 3550);
  assert.equal(ok.data.tls, true);
  assert.deepEqual(ok.data.source, { addr: 'Acme', ton: 0, npi: 0 }, 'an explicit TON wins');
  assert.equal(parse({}).data?.port, 2775);
  assert.equal(parse({}).data?.window, 10);
  for (const bad of [{ url: 'http://x' }, { url: 'smpp://u:p@host' }, { password: 'longer than 8' }, { source_addr: 'Too long a sender' }, { binds: 0 }, { windoww: 3 }]) {
    assert.equal(parse(bad).success, false, JSON.stringify(bad));
  }
});
