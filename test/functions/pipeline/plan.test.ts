import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutWindows, planExportWindows, planSnapshot } from '../../../functions/src/pipeline/plan.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 1);
const at = (hours: number) => T0 + hours * H;
const span = (w: { start: number; end: number; kind: string }) =>
  `${w.kind} ${(w.start - T0) / H}-${(w.end - T0) / H}`;

describe('planExportWindows', () => {
  const cases = [
    {
      name: 'aligned range cut into whole windows',
      input: {
        watermark: at(0),
        loadedUntil: at(0),
        to: at(18),
        lengthMs: 6 * H,
        lookbackMs: 0,
        from: at(0),
      },
      want: ['advance 0-6', 'advance 6-12', 'advance 12-18'],
    },
    {
      name: 'partial last window ends exactly at `to`',
      input: { watermark: at(0), loadedUntil: at(0), to: at(8), lengthMs: 6 * H, lookbackMs: 0, from: at(0) },
      want: ['advance 0-6', 'advance 6-8'],
    },
    {
      name: 'a watermark between boundaries continues to the next boundary',
      input: {
        watermark: at(8),
        loadedUntil: at(8),
        to: at(20),
        lengthMs: 6 * H,
        lookbackMs: 0,
        from: at(0),
      },
      want: ['advance 8-12', 'advance 12-18', 'advance 18-20'],
    },
    {
      name: 'lookback re-reads the trailing edge behind the watermark',
      input: {
        watermark: at(12),
        loadedUntil: at(12),
        to: at(18),
        lengthMs: 6 * H,
        lookbackMs: 1 * H,
        from: at(0),
      },
      want: ['advance 12-18', 'lookback 11-12'],
    },
    {
      name: 'a lookback longer than a window is cut on the same boundaries',
      input: {
        watermark: at(8),
        loadedUntil: at(8),
        to: at(8),
        lengthMs: 6 * H,
        lookbackMs: 4 * H,
        from: at(0),
      },
      want: ['lookback 4-6', 'lookback 6-8'],
    },
    {
      name: 'first run: no lookback before history starts',
      input: {
        watermark: at(0),
        loadedUntil: at(0),
        to: at(6),
        lengthMs: 6 * H,
        lookbackMs: 1 * H,
        from: at(0),
      },
      want: ['advance 0-6'],
    },
    {
      name: 'nothing new when `to` is not past the watermark; lookback stops at `to`',
      input: {
        watermark: at(12),
        loadedUntil: at(12),
        to: at(11.5),
        lengthMs: 6 * H,
        lookbackMs: 1 * H,
        from: at(0),
      },
      want: ['lookback 11-11.5'],
    },
    {
      name: 'past a watermark stuck behind a failed window, the lookback trails what is loaded',
      input: {
        watermark: at(6),
        loadedUntil: at(24),
        to: at(24),
        lengthMs: 6 * H,
        lookbackMs: 1 * H,
        from: at(0),
      },
      want: ['advance 6-12', 'advance 12-18', 'advance 18-24', 'lookback 23-24'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(planExportWindows(c.input).map(span), c.want);
    });
  }
});

describe('cutWindows', () => {
  it('rejects a non-positive length', () => {
    assert.throws(() => cutWindows(0, 10, 0, 'advance'), RangeError);
  });
  it('returns nothing for an empty range', () => {
    assert.deepEqual(cutWindows(at(5), at(5), H, 'advance'), []);
  });
});

describe('planSnapshot', () => {
  it('plans one snapshot window from the last snapshot to `to`', () => {
    assert.deepEqual(planSnapshot(at(0), at(5)).map(span), ['advance 0-5']);
  });
  it('plans nothing when the last snapshot is current', () => {
    assert.deepEqual(planSnapshot(at(5), at(5)), []);
  });
});
