import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IntervalPacer } from '../../../functions/src/iterable/pacer.js';

/** A clock that only moves when someone sleeps, recording each sleep. */
function fakeClock(start = 0) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    advance: (ms: number) => {
      now += ms;
    },
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

describe('IntervalPacer', () => {
  it('lets the first request through and spaces the next ones by the interval', async () => {
    const { clock, sleeps } = fakeClock();
    const pacer = new IntervalPacer(6000, clock);
    for (let i = 0; i < 3; i++) await pacer.wait();
    assert.deepEqual(sleeps, [6000, 6000]);
  });

  it('does not wait when the interval has already passed', async () => {
    const { clock, sleeps, advance } = fakeClock();
    const pacer = new IntervalPacer(6000, clock);
    await pacer.wait();
    advance(10_000);
    await pacer.wait();
    assert.deepEqual(sleeps, []);
  });

  it('queues concurrent callers one interval apart', async () => {
    // All three reserve their slot before any of them sleeps, at the same instant.
    const sleeps: number[] = [];
    const pacer = new IntervalPacer(6000, { now: () => 0, sleep: async (ms) => void sleeps.push(ms) });
    await Promise.all([pacer.wait(), pacer.wait(), pacer.wait()]);
    assert.deepEqual(sleeps, [6000, 12_000]);
  });
});
