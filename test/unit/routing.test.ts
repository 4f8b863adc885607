/**
 * Routing without a server: the file's route shapes (a list, or default / countries / services),
 * sender profiles, failover settings and provider prices, each problem listed; the registry's
 * choice by service and country; the circuit on an injected clock; what counts as "not reached".
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProviderHealth } from '../../src/channels/health.js';
import { ProviderNotReached, wasNotReached } from '../../src/channels/provider.js';
import { ProviderRegistry } from '../../src/channels/registry.js';
import { ProviderSender } from '../../src/channels/sender.js';
import { TwilioUnavailable } from '../../src/channels/twilio/rest.js';
import { readConfigFile } from '../../src/config/file.js';
import { ManualClock } from '../../src/domain/clock.js';
import type { SendRequest } from '../../src/domain/verification/sending.js';
import { sendRequest as request } from '../support/send-request.js';

const dir = mkdtempSync(join(tmpdir(), 'verifyd-routing-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fileWith = (text: string) => {
  const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return readConfigFile(path, {});
};

const VA = `VA${'a'.repeat(32)}`;
const MG = `MG${'1'.repeat(32)}`;
const PROVIDERS = `providers:
  - { name: a, type: inbox }
  - { name: b, type: inbox, price: { default: "0.05", GB: "0.04" } }
  - { name: mail, type: smtp, url: "smtp://127.0.0.1:2525", from: no-reply@example.com }
`;

test('routes: a list is every country; default, countries and services by sid; profiles and failover are read', () => {
  const { config, problems } = fileWith(`${PROVIDERS}
routes:
  email: [mail]
  sms:
    default: [a, b]
    countries: { GB: [b, a] }
    services:
      ${VA}: { countries: { FR: [b] } }
messaging_services:
  - { sid: ${MG}, sms: [b] }
failover: { receipt_timeout_seconds: 5, on_receipt_timeout: true, circuit_failures: 3, circuit_cool_down_seconds: 60 }
`);
  assert.deepEqual(problems, []);
  assert.deepEqual(config.routes, {
    email: { default: ['mail'] },
    sms: { default: ['a', 'b'], countries: { GB: ['b', 'a'] }, services: { [VA]: { countries: { FR: ['b'] } } } },
  });
  assert.deepEqual(config.messagingServices, [{ sid: MG, sms: ['b'] }]);
  assert.deepEqual(config.failover, { receiptTimeoutMs: 5000, onReceiptTimeout: true, circuit: { failures: 3, coolDownMs: 60_000 } });
  assert.deepEqual(config.providers.find((p) => p.name === 'b')?.price, { default: '0.05', GB: '0.04' });
});

test('every routing problem is listed, each saying where', () => {
  const { problems } = fileWith(`${PROVIDERS}
routes:
  sms:
    countries: { gb: [a], FR: [mail], DE: [nobody] }
    services:
      VA123: [a]
    colour: red
messaging_services:
  - { sid: MGnope, sms: [mail] }
  - { sid: ${MG} }
failover: { receipt_timeout_seconds: 0, on_receipt_timeout: "yes", circuits: 2 }
`);
  assert.deepEqual(problems, [
    'routes.sms.colour: is not one of default, countries, services',
    'routes.sms.default: must be a non-empty list of provider names',
    'routes.sms.countries.gb: is not an ISO 3166 alpha-2 country code (upper case)',
    'routes.sms.countries.FR: mail (type smtp) does not carry sms',
    'routes.sms.countries.DE: names nobody, which is not a configured provider',
    'routes.sms.services.VA123: is not a service sid (VA and 32 hex digits)',
    'messaging_services[0].sid: must be a Messaging Service sid (MG and 32 hex digits)',
    'messaging_services[0].sms: mail (type smtp) does not carry sms',
    'messaging_services[1]: must name providers for sms and/or whatsapp',
    'failover.circuits: is not one of receipt_timeout_seconds, on_receipt_timeout, circuit_failures, circuit_cool_down_seconds',
    'failover.on_receipt_timeout: must be true or false',
    'failover.receipt_timeout_seconds: must be a whole number from 1 to 86400',
  ]);
});

test('the registry picks: profile, service country, service default, country, default', () => {
  const p = (name: string) => ({ name, channels: ['sms'] as const, send: async () => ({ status: 'sent' as const }) });
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(p) as [ReturnType<typeof p>, ReturnType<typeof p>, ReturnType<typeof p>, ReturnType<typeof p>, ReturnType<typeof p>];
  const registry = new ProviderRegistry(
    [a, b, c, d, e],
    { sms: { default: ['a'], countries: { GB: ['b'] }, services: { [VA]: { default: ['c'], countries: { FR: ['d'] } } } } },
    [{ sid: MG, sms: ['e'] }],
  );
  const names = (serviceSid: string, country: string | null, profile: string | null = null) => registry.route({ channel: 'sms', serviceSid, country }, profile).map((x) => x.name);
  assert.deepEqual(names('VAother', 'US'), ['a']);
  assert.deepEqual(names('VAother', 'GB'), ['b']);
  assert.deepEqual(names(VA, 'GB'), ['c'], "the service's default is ahead of the channel's country route");
  assert.deepEqual(names(VA, 'FR'), ['d']);
  assert.deepEqual(names(VA, 'FR', MG), ['e']);
});

test("the sender's route: the destination's country, and the delivering provider's price", async () => {
  const p = (name: string) => ({ name, channels: ['sms'] as const, sendsReceipts: name === 'a', send: async () => ({ status: 'sent' as const }) });
  const registry = new ProviderRegistry([p('a'), p('b')], { sms: { default: ['a', 'b'], countries: { GB: ['b'] } } });
  const sender = new ProviderSender(registry, { clock: new ManualClock(), prices: { currency: 'usd', byProvider: new Map([['b', { default: '0.05', GB: '0.04' }]]) } });
  assert.deepEqual(await sender.route(request({ to: '+447400123456', country: 'GB' })), [{ provider: 'b', sendsReceipts: false, price: { value: '0.04', currency: 'usd' } }]);
  assert.deepEqual(await sender.route(request({ to: '+15017122661', country: 'US' })), [
    { provider: 'a', sendsReceipts: true, price: null },
    { provider: 'b', sendsReceipts: false, price: { value: '0.05', currency: 'usd' } },
  ]);
});

test("the sender's route reads the country the start parsed; a job queued without one parses the number", async () => {
  const p = (name: string) => ({ name, channels: ['sms'] as const, send: async () => ({ status: 'sent' as const }) });
  const registry = new ProviderRegistry([p('a'), p('b')], { sms: { default: ['a'], countries: { GB: ['b'] } } });
  const sender = new ProviderSender(registry, { clock: new ManualClock() });
  const names = async (r: Omit<SendRequest, 'code'>) => (await sender.route(r)).map((s) => s.provider);
  // The carried country decides, not a parse of the number (the two never differ in a real start).
  assert.deepEqual(await names(request({ to: '+15017122661', country: 'GB' })), ['b']);
  assert.deepEqual(await names(request({ to: '+447400123456', country: null })), ['a']);
  const { country: _dropped, ...queuedBefore } = request({ to: '+447400123456' });
  assert.deepEqual(await names(queuedBefore as SendRequest), ['b']);
});

test('a circuit opens after N consecutive failures, lets one trial through after the cool-down, and closes on success', () => {
  const clock = new ManualClock(new Date(0));
  const health = new ProviderHealth(clock, { failures: 3, coolDownMs: 30_000 });
  health.failed('x');
  health.failed('x');
  health.succeeded('x');
  health.failed('x');
  health.failed('x');
  assert.equal(health.state('x'), 'closed', 'a success resets the count');
  health.failed('x');
  assert.equal(health.state('x'), 'open');
  assert.equal(health.admit('x'), false);
  clock.advance(29_999);
  assert.equal(health.admit('x'), false);
  clock.advance(1);
  assert.equal(health.state('x'), 'half-open');
  assert.equal(health.admit('x'), true, 'one trial');
  assert.equal(health.admit('x'), false, 'only one at a time');
  health.failed('x');
  assert.equal(health.state('x'), 'open', 'a failed trial opens it again');
  clock.advance(30_000);
  assert.equal(health.admit('x'), true);
  health.succeeded('x');
  assert.equal(health.state('x'), 'closed');
  assert.equal(health.admit('x'), true);
  assert.equal(health.admit('y'), true, 'per provider');
});

test('not reached: refused or unresolvable connections, connect timeouts, explicit marks; not a lost answer', () => {
  const cause = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
  assert.equal(wasNotReached(cause('ECONNREFUSED')), true);
  assert.equal(wasNotReached(cause('UND_ERR_CONNECT_TIMEOUT')), true);
  assert.equal(wasNotReached(new TwilioUnavailable('x', { cause: cause('ENOTFOUND') })), true);
  assert.equal(wasNotReached(new TwilioUnavailable('Messages API answered 503', { notReached: true })), true);
  assert.equal(wasNotReached(new ProviderNotReached('busy')), true);
  assert.equal(wasNotReached(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT', command: 'CONN' })), true, 'nodemailer, while connecting');
  assert.equal(wasNotReached(cause('UND_ERR_HEADERS_TIMEOUT')), false, 'the request was sent: it may have been taken');
  assert.equal(wasNotReached(cause('ECONNRESET')), false);
  assert.equal(wasNotReached(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), false);
  assert.equal(wasNotReached(new TwilioUnavailable('Messages API answered 500')), false);
});
