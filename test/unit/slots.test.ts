/** Slots: at most `size` at once, in order; a wait called off leaves without running and without taking a slot. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Slots } from '../../src/channels/slots.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

test('runs at most size at once, the waiters in order', async () => {
  const slots = new Slots(2);
  const started: number[] = [];
  const gates = [deferred(), deferred(), deferred(), deferred()];
  const runs = gates.map((g, i) => slots.run(async () => { started.push(i); await g.promise; return i; }));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  gates[1]!.resolve();
  await runs[1];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  for (const g of gates) g.resolve();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3]);
});

test('a wait called off rejects with NotSent, never runs, and gives its turn to the next', async () => {
  const slots = new Slots(1);
  const gate = deferred();
  const first = slots.run(() => gate.promise);
  const abort = new AbortController();
  let ran = false;
  const second = slots.run(async () => { ran = true; }, abort.signal);
  const third = slots.run(async () => 'third');
  abort.abort(new Error('deadline'));
  await assert.rejects(second, (err: Error) => err.name === 'NotSent' && /deadline/.test(err.message));
  gate.resolve();
  await first;
  assert.equal(await third, 'third');
  assert.equal(ran, false);
});

test('an already aborted signal is refused at once', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(new Slots(1).run(async () => 1, abort.signal), { name: 'NotSent' });
});
