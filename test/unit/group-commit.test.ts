/** Group commit (src/dispatch/group-commit.ts), shared by the event and send dispatchers' settlements. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from '../../src/dispatch/group-commit.js';

/** A write that waits until released, so the test decides what arrives while one is under way. */
function gatedWrites(fail: (items: number[]) => boolean = () => false) {
  const writes: number[][] = [];
  let open: () => void = () => {};
  let gate = new Promise<void>((r) => (open = r));
  const write = async (items: number[]) => {
    writes.push(items);
    await gate;
    if (fail(items)) throw new Error('refused');
    return items.map((i) => i * 10);
  };
  const release = () => {
    open();
    gate = new Promise<void>((r) => (open = r));
  };
  return { writes, write, release };
}

test('what arrives while a write is under way is written next, together, each add getting its own results in order', async () => {
  const w = gatedWrites();
  const g = new GroupCommit<number, number>(w.write);
  const first = g.add([1]);
  const later = [g.add([2, 3]), g.add([4]), g.add([5])];
  assert.deepEqual(w.writes, [[1]], 'the first add is written at once');
  w.release();
  assert.deepEqual(await first, [10]);
  w.release();
  assert.deepEqual(await Promise.all(later), [[20, 30], [40], [50]]);
  assert.deepEqual(w.writes, [[1], [2, 3, 4, 5]], 'one write for the three adds that waited');
});

test('a group write that fails is redone add by add: only the bad add fails', async () => {
  const w = gatedWrites((items) => items.includes(3));
  const g = new GroupCommit<number, number>(w.write);
  const first = g.add([1]);
  const later = [g.add([2]), g.add([3]), g.add([4])].map((p) => p.then((r) => r, (e: Error) => e.message));
  w.release();
  await first;
  for (let i = 0; i < 4; i++) {
    w.release();
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await Promise.all(later), [[20], 'refused', [40]]);
  assert.deepEqual(w.writes, [[1], [2, 3, 4], [2], [3], [4]]);
});
