import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReceiptText, readReceipt, statusOfStat } from '../../src/channels/smpp/receipt.js';

const TEXT = 'id:0123456789 sub:001 dlvrd:001 submit date:2612030800 done date:2612030801 stat:DELIVRD err:000 text:Your Acme verif';

test('the Appendix B receipt text: id, stat and err, whatever else it holds', () => {
  assert.deepEqual(parseReceiptText(TEXT), { messageId: '0123456789', stat: 'DELIVRD', err: '000' });
  assert.deepEqual(parseReceiptText('ID:ab-12 SUB:001 DLVRD:000 SUBMIT DATE:2612030800 DONE DATE:2612030801 STAT:undeliv ERR:001'), { messageId: 'ab-12', stat: 'UNDELIV', err: '001' });
  assert.deepEqual(parseReceiptText('id:7 stat:EXPIRED'), { messageId: '7', stat: 'EXPIRED', err: null });
  assert.equal(parseReceiptText('id:7 sub:001'), null, 'no stat');
  assert.equal(parseReceiptText('hello stat:DELIVRD'), null, 'no id');
  // `submit date:` holds `id:`-like text only as part of another word: not taken as the id.
  assert.equal(parseReceiptText('xid:1 stat:DELIVRD'), null);
});

test('TLVs win over the text; message_state numbers are the stat words', () => {
  assert.deepEqual(readReceipt(TEXT, { receipted_message_id: 'abc', message_state: 5 }), { messageId: 'abc', stat: 'UNDELIV', err: '000' });
  assert.deepEqual(readReceipt('', { receipted_message_id: 'abc', message_state: 2 }), { messageId: 'abc', stat: 'DELIVRD', err: null });
  assert.deepEqual(readReceipt(TEXT, {}), { messageId: '0123456789', stat: 'DELIVRD', err: '000' });
  assert.equal(readReceipt('', { receipted_message_id: 'abc' }), null);
});

test('stat words as attempt statuses and Twilio error codes', () => {
  assert.deepEqual(statusOfStat('DELIVRD'), { status: 'delivered', errorCode: null });
  assert.deepEqual(statusOfStat('ENROUTE'), { status: 'sent', errorCode: null });
  assert.deepEqual(statusOfStat('ACCEPTD'), { status: 'sent', errorCode: null });
  assert.deepEqual(statusOfStat('UNDELIV'), { status: 'undelivered', errorCode: 30003 });
  assert.deepEqual(statusOfStat('EXPIRED'), { status: 'undelivered', errorCode: 30003 });
  assert.deepEqual(statusOfStat('REJECTD'), { status: 'undelivered', errorCode: 30007 });
  assert.deepEqual(statusOfStat('DELETED'), { status: 'failed', errorCode: 30008 });
  assert.equal(statusOfStat('UNKNOWN'), null);
  assert.equal(statusOfStat('BOGUS'), null);
});
