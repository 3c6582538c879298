/**
 * Property tests of the window planner and the watermark protocol: for any sequence of plans,
 * claims, completions, failures and cuts, the watermark never moves backwards, never passes a
 * point that no completed window covers, and a window is never held by two attempts at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  applyClaim,
  applyComplete,
  applyFail,
  applyPlan,
  EMPTY_STATE,
} from '../../../functions/src/pipeline/ledger.js';
import { planExportWindows } from '../../../functions/src/pipeline/plan.js';
import type { Window } from '../../../functions/src/pipeline/window.js';
import type { StreamState, WindowRecord } from '../../../functions/src/ports.js';

const H = 3600_000;
const LEASE = 10 * H;

const op = fc.oneof(
  fc.record({ type: fc.constant('plan' as const), to: fc.integer({ min: 1, max: 72 }) }),
  fc.record({ type: fc.constant('claim' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('complete' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('fail' as const), pick: fc.nat(), cut: fc.boolean() }),
  fc.record({ type: fc.constant('tick' as const), hours: fc.integer({ min: 1, max: 12 }) }),
);

const pick = <T>(items: readonly T[], n: number): T | undefined => items[n % Math.max(1, items.length)];

/** Whether `[from, to)` is covered by the union of `intervals`. */
function covered(from: number, to: number, intervals: readonly Window[]): boolean {
  let reach = from;
  for (const w of [...intervals].sort((a, b) => a.start - b.start)) {
    if (w.start > reach) break;
    reach = Math.max(reach, w.end);
  }
  return reach >= to;
}

describe('the watermark protocol, for any sequence of events', () => {
  it('never moves the watermark backwards or over a gap, and never grants a window twice', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 120 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 6 }),
        (ops, lengthHours, lookbackHours) => {
          let state: StreamState = EMPTY_STATE;
          let now = 100 * H;
          const completed: Window[] = [];
          let last = 0;
          for (const o of ops) {
            if (o.type === 'tick') now += o.hours * H;
            if (o.type === 'plan') {
              const watermark = state.watermark ?? 0;
              const loadedUntil = state.windows.reduce(
                (end, w) => (w.kind === 'advance' && w.status === 'done' ? Math.max(end, w.end) : end),
                watermark,
              );
              const planned = planExportWindows({
                watermark,
                loadedUntil,
                to: o.to * H,
                lengthMs: lengthHours * H,
                lookbackMs: lookbackHours * H,
                from: 0,
              });
              state = applyPlan(state, 'email_send', planned, 0, now, Number.POSITIVE_INFINITY).state;
            }
            const open = state.windows.filter((w) => w.status === 'pending' || w.status === 'failed');
            const running = state.windows.filter((w) => w.status === 'running');
            if (o.type === 'claim') {
              const w = pick(open, o.pick);
              if (!w) continue;
              const first = applyClaim(state, 'email_send', w, now, LEASE);
              assert.equal(first.result.outcome, 'claimed');
              const second = applyClaim(first.state, 'email_send', w, now, LEASE);
              assert.equal(second.result.outcome, 'busy', 'a leased window is not granted again');
              state = first.state;
            }
            if (o.type === 'complete') {
              const w: WindowRecord | undefined = pick(running, o.pick);
              if (!w) continue;
              state = applyComplete(state, 'email_send', w, { rows: 1, rejects: 0 }, 1, now).state;
              if (w.kind === 'advance') completed.push(w);
              assert.equal(applyClaim(state, 'email_send', w, now, LEASE).result.outcome, 'done');
            }
            if (o.type === 'fail') {
              const w = pick(running, o.pick);
              if (!w) continue;
              state = applyFail(state, 'email_send', w, { error: 'x', cut: o.cut, pieces: 1 }, now).state;
            }
            const mark = state.watermark ?? 0;
            assert.ok(mark >= last, 'the watermark never moves backwards');
            assert.ok(
              covered(0, mark, completed),
              'everything behind the watermark was loaded by some window',
            );
            last = mark;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('the window planner, for any input', () => {
  it('covers [watermark, to) with advance windows exactly once, and keeps the lookback behind the loaded edge', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: -50, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 30 }),
        (watermark, ahead, toOffset, lengthMinutes, lookbackMinutes) => {
          const M = 60_000;
          const input = {
            watermark: watermark * M,
            loadedUntil: (watermark + ahead) * M,
            to: (watermark + toOffset) * M,
            lengthMs: lengthMinutes * M,
            lookbackMs: lookbackMinutes * M,
            from: 0,
          };
          const windows = planExportWindows(input);
          const advance = windows.filter((w) => w.kind === 'advance');
          let cursor = input.watermark;
          for (const w of advance) {
            assert.equal(w.start, cursor, 'advance windows are contiguous from the watermark');
            assert.ok(w.end > w.start && w.end - w.start <= input.lengthMs);
            cursor = w.end;
          }
          assert.equal(cursor, Math.max(input.watermark, input.to));
          const lookback = windows.filter((w) => w.kind === 'lookback');
          const edge = Math.max(input.watermark, input.loadedUntil);
          for (let i = 0; i < lookback.length; i++) {
            const w = lookback[i] as Window;
            assert.ok(w.start >= Math.max(0, edge - input.lookbackMs) && w.end <= Math.min(edge, input.to));
            if (i > 0)
              assert.equal(w.start, lookback[i - 1]?.end, 'lookback windows neither overlap nor leave gaps');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
