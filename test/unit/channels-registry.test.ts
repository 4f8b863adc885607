/**
 * ProviderRegistry (routes checked once, against the configured providers) and ProviderSender
 * (renders once, hands request and rendering to the first provider of the channel's route), and
 * how a sender's failure is described for the log.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InboxProvider } from '../../src/channels/inbox.js';
import type { Provider } from '../../src/channels/provider.js';
import { ManualClock } from '../../src/domain/clock.js';
import { ProviderRegistry } from '../../src/channels/registry.js';
import { render, type Rendering } from '../../src/channels/render/index.js';
import { ProviderSender } from '../../src/channels/sender.js';
import { sendFailure, type CodeChannel, type SendOutcome, type SendRequest } from '../../src/domain/verification/sending.js';
import { sendRequest } from '../support/send-request.js';

class Recorder implements Provider {
  readonly got: Array<[SendRequest, Rendering]> = [];
  constructor(
    readonly name: string,
    readonly channels: readonly CodeChannel[],
  ) {}
  async send(request: SendRequest, rendering: Rendering): Promise<SendOutcome> {
    this.got.push([request, rendering]);
    return { status: 'sent', providerMessageId: `${this.name}-1` };
  }
}

const request = sendRequest;

test('routes: each channel its providers in the configured order; none for an unrouted channel', () => {
  const a = new Recorder('a', ['sms', 'whatsapp']);
  const b = new Recorder('b', ['sms']);
  const registry = new ProviderRegistry([a, b], { sms: { default: ['b', 'a'] }, whatsapp: { default: ['a'] } });
  assert.deepEqual(registry.route('sms'), [b, a]);
  assert.deepEqual(registry.route('whatsapp'), [a]);
  assert.deepEqual(registry.route('email'), []);
});

test('a configuration that cannot work is refused when the registry is built', () => {
  const a = new Recorder('a', ['sms']);
  const cases: Array<[Provider[], ConstructorParameters<typeof ProviderRegistry>[1], RegExp]> = [
    [[a, new Recorder('a', ['email'])], {}, /provider a is configured twice/],
    [[a], { sms: { default: ['nope'] } }, /sms route names an unknown provider: nope/],
    [[a], { email: { default: ['a'] } }, /provider a does not serve email/],
    [[a], { sms: { default: [] } }, /sms route names no provider/],
  ];
  for (const [providers, routes, message] of cases) assert.throws(() => new ProviderRegistry(providers, routes), message);
});

test('the sender hands the named provider of the route the request and verifyd rendering of it', async () => {
  const first = new Recorder('first', ['email']);
  const second = new Recorder('second', ['email']);
  const sender = new ProviderSender(new ProviderRegistry([first, second], { email: { default: ['first', 'second'] } }));
  const req = request({ channel: 'email', to: 'ann@example.com', locale: 'de' });
  assert.deepEqual((await sender.route(req)).map((s) => s.provider), ['first', 'second']);
  assert.deepEqual(await sender.sendWith('first', req, new AbortController().signal), { status: 'sent', providerMessageId: 'first-1', providerName: 'first' });
  assert.deepEqual(first.got, [[req, render(req)]]);
  assert.equal(second.got.length, 0);
});

test('the sender routes nothing for a channel nothing is routed to (the dispatcher records it as failed)', async () => {
  const sender = new ProviderSender(new ProviderRegistry([new Recorder('a', ['sms'])], { sms: { default: ['a'] } }));
  assert.deepEqual(await sender.route(request({ channel: 'call' })), []);
  await assert.rejects(sender.sendWith('b', request({ channel: 'sms' }), new AbortController().signal), /no provider is named b/);
});

test('only a route to the inbox is sent inline, in the start transaction; the others are queued', async () => {
  const clock = new ManualClock(new Date(0));
  const unused = { insertInboxMessage: async () => assert.fail('the inbox store of the provider is not used inline'), listInboxMessages: async () => [] };
  const inbox = new InboxProvider(unused, clock);
  const sender = new ProviderSender(new ProviderRegistry([inbox, new Recorder('a', ['sms'])], { sms: { default: ['a'] }, email: { default: ['inbox'] } }));
  assert.equal(sender.sendsInline('sms'), false);
  assert.equal(sender.sendsInline('email'), true);
  const written: unknown[] = [];
  const outcome = await sender.sendInline(request({ channel: 'email', to: 'ann@example.com' }), { insertInboxMessage: async (m) => void written.push(m) });
  assert.deepEqual(outcome, { status: 'delivered' });
  assert.equal(written.length, 1);
  assert.throws(() => sender.sendInline(request(), { insertInboxMessage: async () => undefined }), /sms route is queued/);
});

test('a failure for the log: attempt, channel and error, with the code masked wherever it appears', () => {
  const err = new TypeError('gateway said: bad body "Your code is 482913"');
  const f = sendFailure(request(), err);
  assert.equal(f.attemptSid, 'VL1');
  assert.equal(f.channel, 'sms');
  assert.equal(f.error.type, 'TypeError');
  assert.equal(f.error.message, 'gateway said: bad body "Your code is [code]"');
  assert.ok(f.error.stack && !f.error.stack.includes('482913'));
  // Anything thrown, not only errors.
  const thrown = sendFailure(request(), 'plain 482913').error;
  assert.deepEqual([thrown.type, thrown.message], ['Error', 'plain [code]']);
});
