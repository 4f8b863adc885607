/**
 * Text a start puts into a message: CustomFriendlyName follows FriendlyName's rules, PSD2's Payee
 * and Amount lose control and bidi characters before rendering, and CustomMessage (a feature Twilio
 * enables per account, which verifyd does not have) is refused with 60243 instead of ignored.
 */
import assert from 'node:assert/strict';
import { rejectsWith } from '../support/assertions.js';
import { onEachBackend, setup } from '../support/server.js';

const US = '+15017122661';

onEachBackend('text a start puts into a message', async (t, server) => {
  await t.test('CustomFriendlyName with a line break, a control or a bidi character is refused; a plain one is used', async () => {
    const { acct, api } = await setup(server);
    for (const name of ['Acme\r\nBcc: a@example.com', 'Acme\u0007', '\u202eemca', 'Acme <Bank>', ' ']) {
      await rejectsWith(api.verifications.create({ to: US, channel: 'sms', customFriendlyName: name }), 400, 60200, 'Invalid parameter: CustomFriendlyName');
    }
    const v = await api.verifications.create({ to: US, channel: 'sms', customFriendlyName: 'Acme Bank' });
    assert.equal(v.status, 'pending');
    assert.match((await server.latestMessage(acct, US)).body, /Acme Bank/);
  });

  await t.test('CustomMessage answers 60243 and sends nothing', async () => {
    const { acct, api } = await setup(server);
    await rejectsWith(api.verifications.create({ to: US, channel: 'sms', customMessage: 'Your code is {code}' }), 400, 60243, 'Custom messages are not supported');
    await assert.rejects(server.latestMessage(acct, US), /no inbox message/);
  });

  await t.test('Payee and Amount reach the message without control, line-break or bidi characters', async () => {
    const { acct, api } = await setup(server, { psd2Enabled: true });
    await api.verifications.create({ to: US, channel: 'sms', payee: 'Shop\r\nCall +1 555\u202e0100', amount: '€10\u0007.00' });
    const { body } = await server.latestMessage(acct, US);
    assert.doesNotMatch(body, /[\u0000-\u001f\u202e]/);
    assert.match(body, /ShopCall \+1 5550100/);
    assert.match(body, /€10\.00/);
  });
});
