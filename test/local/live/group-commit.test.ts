/**
 * Group commit with writes in flight together (the durable buffer's syncs): items that arrive
 * during a write start the next one beside it, up to the bound; each item settles with its own
 * batch's write, whichever finishes first; `flush` waits for every write in flight.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GroupCommit } from '../../../local/live/group-commit.js';

/** A write the test finishes by hand, so what runs beside what is decided here, not by timing. */
interface HeldWrite {
  readonly items: readonly string[];
  finish(error?: Error): void;
}

function heldWrites() {
  const writes: HeldWrite[] = [];
  let started: (() => void) | null = null;
  const write = (items: readonly string[]): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      writes.push({ items, finish: (error) => (error === undefined ? resolve() : reject(error)) });
      started?.();
    });
  /** Resolves once `n` writes have started. */
  const startedCount = async (n: number): Promise<void> => {
    while (writes.length < n) await new Promise<void>((resolve) => (started = resolve));
  };
  return { writes, write, startedCount };
}

/** Settles to 'done', or to the error's message; 'pending' if not settled once queued work has run. */
const state = async (promise: Promise<void>): Promise<string> => {
  const settled = promise.then(
    () => 'done',
    (error: Error) => error.message,
  );
  return Promise.race([settled, new Promise<string>((resolve) => setImmediate(() => resolve('pending')))]);
};

describe('GroupCommit with writes in flight together', () => {
  it('starts a second write for what arrives during the first, and no third beyond the bound', async () => {
    const { writes, write, startedCount } = heldWrites();
    const commits = new GroupCommit(write, { maxItems: 100, maxInFlight: 2 });
    const a = commits.add('a');
    const b = commits.add('b');
    await startedCount(1);
    const c = commits.add('c');
    await startedCount(2);
    const d = commits.add('d');
    const e = commits.add('e');
    assert.deepEqual(
      writes.map((w) => w.items),
      [['a', 'b'], ['c']],
    );
    // The second write finishes first: its item is answered while the first is still in flight.
    writes[1]?.finish();
    assert.equal(await state(c), 'done');
    assert.equal(await state(a), 'pending');
    await startedCount(3);
    assert.deepEqual(writes[2]?.items, ['d', 'e']);
    writes[0]?.finish();
    writes[2]?.finish();
    assert.deepEqual(await Promise.all([state(a), state(b), state(d), state(e)]), [
      'done',
      'done',
      'done',
      'done',
    ]);
  });

  it('fails only the items of the write that failed', async () => {
    const { writes, write, startedCount } = heldWrites();
    const commits = new GroupCommit(write, { maxItems: 100, maxInFlight: 2 });
    const a = commits.add('a');
    await startedCount(1);
    const b = commits.add('b');
    await startedCount(2);
    writes[0]?.finish(new Error('disk full'));
    writes[1]?.finish();
    assert.deepEqual(await Promise.all([state(a), state(b)]), ['disk full', 'done']);
  });

  it('flush waits for every write in flight, and a burst beyond maxItems is split', async () => {
    const { writes, write, startedCount } = heldWrites();
    const commits = new GroupCommit(write, { maxItems: 2, maxInFlight: 3 });
    const items = ['a', 'b', 'c', 'd', 'e'].map((item) => commits.add(item));
    await startedCount(3);
    assert.deepEqual(
      writes.map((w) => w.items),
      [['a', 'b'], ['c', 'd'], ['e']],
    );
    let flushed = false;
    const flush = commits.flush().then(() => {
      flushed = true;
    });
    writes[0]?.finish();
    writes[2]?.finish();
    await state(items[0] as Promise<void>);
    assert.equal(flushed, false);
    writes[1]?.finish();
    await flush;
    assert.deepEqual(await Promise.all(items.map(state)), ['done', 'done', 'done', 'done', 'done']);
  });

  it('writes pushed items, which nobody waits for, and a failed write of them rejects nothing', async () => {
    const written: string[][] = [];
    const commits = new GroupCommit<string>(
      async (items) => {
        written.push([...items]);
        if (items.includes('x')) throw new Error('disk full');
      },
      { maxItems: 10 },
    );
    commits.push('a');
    commits.push('b');
    await commits.flush();
    commits.push('x');
    await commits.flush();
    assert.deepEqual(written, [['a', 'b'], ['x']]);
  });
});
