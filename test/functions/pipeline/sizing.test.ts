/**
 * Window sizing: lengths from a stream's density, growing ×2 from no history, aligned to powers
 * of two of a minute and clamped to [1 minute, 90 days]; table cases, then properties.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cutWindows } from '../../../functions/src/pipeline/plan.js';
import {
  alignedLength,
  type Density,
  densityOf,
  MAX_WINDOW_MS,
  MIN_WINDOW_MS,
  NO_HISTORY,
  sized,
  TARGET_RECORDS_PER_WINDOW,
  windowLength,
} from '../../../functions/src/pipeline/sizing.js';
import type { WindowRecord } from '../../../functions/src/ports.js';

const M = 60_000;
const H = 60 * M;
const DAY = 24 * H;
const isAligned = (ms: number) => Number.isInteger(Math.log2(ms / M));

const done = (start: number, end: number, rows: number): WindowRecord => ({
  stream: 'email_send',
  start,
  end,
  kind: 'advance',
  status: 'done',
  attempts: 1,
  generation: 0,
  updatedAt: 0,
  leaseUntil: null,
  lastError: null,
  cuts: 0,
  pieces: 1,
  rows,
  rejects: 0,
});

describe('windowLength', () => {
  const cases: [string, Density, number, number][] = [
    ['no history: the first length, floored to a power of two', NO_HISTORY, 0, 256 * M],
    ['no history: ×2 per window of the plan', NO_HISTORY, 3, 2048 * M],
    ['no history: never above the blind cap', NO_HISTORY, 40, 2 ** 11 * M],
    [
      'an empty stream seen for weeks: up to the clamp',
      { records: 0, spanMs: 30 * DAY, longestMs: DAY },
      40,
      2 ** 16 * M,
    ],
    [
      'history: twice the longest completed window to start with',
      { records: 10, spanMs: DAY, longestMs: 1024 * M },
      0,
      2048 * M,
    ],
    [
      'a dense stream: the target worth of records at its rate',
      { records: 2 * TARGET_RECORDS_PER_WINDOW, spanMs: DAY, longestMs: 1024 * M },
      5,
      512 * M,
    ],
    ['far too dense: one minute', { records: 1e12, spanMs: H, longestMs: H }, 0, MIN_WINDOW_MS],
  ];
  for (const [name, density, index, want] of cases) {
    it(name, () =>
      assert.equal(
        windowLength({ density, firstMs: 360 * M, targetRecords: TARGET_RECORDS_PER_WINDOW }, index),
        want,
      ),
    );
  }

  it('documents its target: half of 1,800 s at 500 records/s', () => {
    assert.equal(TARGET_RECORDS_PER_WINDOW, 450_000);
  });
});

describe('densityOf', () => {
  it('sums the done windows only, and remembers the longest', () => {
    const failed = { ...done(0, 10 * H, 0), status: 'failed' as const, rows: null };
    assert.deepEqual(densityOf([done(0, H, 100), done(H, 3 * H, 50), failed]), {
      records: 150,
      spanMs: 3 * H,
      longestMs: 2 * H,
    });
  });
});

describe('sized windows, for any density', () => {
  const density = fc.record({
    records: fc.nat({ max: 1e9 }),
    spanMs: fc.nat({ max: 400 * DAY }),
    longestMs: fc.nat({ max: 100 * DAY }),
  });

  it('are aligned powers of two of a minute within [1 minute, 90 days], never shrinking within a plan', () => {
    fc.assert(
      fc.property(
        density,
        fc.integer({ min: 1, max: 10_000 }),
        fc.nat({ max: 60 }),
        (d, firstMinutes, index) => {
          const sizing = { density: d, firstMs: firstMinutes * M, targetRecords: TARGET_RECORDS_PER_WINDOW };
          const length = windowLength(sizing, index);
          assert.ok(isAligned(length), `${length} is a power of two of a minute`);
          assert.ok(length >= MIN_WINDOW_MS && length <= MAX_WINDOW_MS);
          assert.ok(windowLength(sizing, index + 1) >= length);
          assert.ok(windowLength(sizing, index + 1) <= 2 * length || length === MIN_WINDOW_MS);
        },
      ),
    );
  });

  it('cut any range contiguously, each window ending on a multiple of its own length, the same every time', () => {
    fc.assert(
      fc.property(
        density,
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 0, max: 400 * 24 * 60 }),
        fc.integer({ min: 0, max: 400 * 24 * 60 }),
        (d, firstMinutes, startMinutes, spanMinutes) => {
          const start = Date.UTC(2025, 0, 1) + startMinutes * M + 7_000;
          const end = start + spanMinutes * M;
          const length = sized({
            density: d,
            firstMs: firstMinutes * M,
            targetRecords: TARGET_RECORDS_PER_WINDOW,
          });
          const windows = cutWindows(start, end, length, 'backfill');
          assert.deepEqual(cutWindows(start, end, length, 'backfill'), windows, 'deterministic');
          let cursor = start;
          for (const [i, w] of windows.entries()) {
            assert.equal(w.start, cursor);
            const own = (length as (i: number) => number)(i);
            assert.ok(w.end === end || w.end % own === 0, 'ends on an aligned boundary');
            assert.ok(w.end - w.start <= own);
            cursor = w.end;
          }
          assert.equal(cursor, Math.max(start, end));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('alignedLength', () => {
  it('floors to a power of two of a minute and clamps', () => {
    assert.equal(alignedLength(0), M);
    assert.equal(alignedLength(6 * H), 256 * M);
    assert.equal(alignedLength(365 * DAY), 2 ** 16 * M);
  });
});
