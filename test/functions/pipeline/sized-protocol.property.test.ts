/**
 * The watermark protocol with windows sized by density, through the fan-out itself: lengths change
 * as windows complete, yet the watermark never moves backwards or over a gap, a plan never cuts an
 * interval the ledger already holds under other bounds, and the ledger's advance windows cover
 * everything from the watermark to the end of the last plan.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type FanoutSettings, fanOut } from '../../../functions/src/pipeline/fanout.js';
import { applyClaim, applyComplete, applyFail, EMPTY_STATE } from '../../../functions/src/pipeline/ledger.js';
import type { Window } from '../../../functions/src/pipeline/window.js';
import type { StateChange, StateStore, StreamState, TaskQueue } from '../../../functions/src/ports.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 0, 1);
const LEASE = 10 * H;

/** One stream's state in memory: the protocol is pure, so a store only has to hold it. */
class MemoryStore implements StateStore {
  state: StreamState = EMPTY_STATE;
  async read(): Promise<StreamState> {
    return this.state;
  }
  async update<T>(_stream: string, change: (s: StreamState) => StateChange<T>): Promise<T> {
    const next = change(this.state);
    this.state = next.state;
    return next.result;
  }
  async close(): Promise<void> {}
}

const queue: TaskQueue = { enqueue: async (tasks) => ({ created: tasks.length, existing: 0 }) };

const SETTINGS: FanoutSettings = {
  streams: ['email_send'],
  windowMinutes: null,
  lagMs: 0,
  lookbackMs: 2 * H,
  settleMs: 0,
  historyMs: 0,
  staleAfterMs: Number.POSITIVE_INFINITY,
  failedRetryDelayMs: 0,
};

const op = fc.oneof(
  fc.record({ type: fc.constant('plan' as const), to: fc.integer({ min: 1, max: 24 * 20 }) }),
  fc.record({ type: fc.constant('claim' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('complete' as const), pick: fc.nat(), rows: fc.nat({ max: 2_000_000 }) }),
  fc.record({ type: fc.constant('fail' as const), pick: fc.nat(), cut: fc.boolean() }),
  fc.record({ type: fc.constant('tick' as const), hours: fc.integer({ min: 1, max: 12 }) }),
);

const pick = <T>(items: readonly T[], n: number): T | undefined => items[n % Math.max(1, items.length)];

function covered(from: number, to: number, intervals: readonly Window[]): boolean {
  let reach = from;
  for (const w of [...intervals].sort((a, b) => a.start - b.start)) {
    if (w.start > reach) break;
    reach = Math.max(reach, w.end);
  }
  return reach >= to;
}

describe('the watermark protocol with sized windows, for any sequence of events', () => {
  it('keeps the watermark safe and the advance windows a tiling, however lengths change', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 80 }), async (ops) => {
        const store = new MemoryStore();
        let now = T0 + 1000 * H;
        const completed: Window[] = [];
        let last = T0;
        let plannedTo = T0;
        for (const o of ops) {
          if (o.type === 'tick') now += o.hours * H;
          if (o.type === 'plan') {
            const to = T0 + o.to * H;
            await fanOut({ state: store, queue, now: () => now, log: () => {} }, SETTINGS, { from: T0, to });
            plannedTo = Math.max(plannedTo, to);
          }
          const state = store.state;
          const open = state.windows.filter((w) => w.status === 'pending' || w.status === 'failed');
          const running = state.windows.filter((w) => w.status === 'running');
          if (o.type === 'claim') {
            const w = pick(open, o.pick);
            if (w) store.state = applyClaim(state, 'email_send', w, now, LEASE).state;
          }
          if (o.type === 'complete') {
            const w = pick(running, o.pick);
            if (w) {
              store.state = applyComplete(state, 'email_send', w, { rows: o.rows, rejects: 0 }, 1, now).state;
              if (w.kind === 'advance') completed.push(w);
            }
          }
          if (o.type === 'fail') {
            const w = pick(running, o.pick);
            if (w)
              store.state = applyFail(
                state,
                'email_send',
                w,
                { error: 'x', cut: o.cut, pieces: 1 },
                now,
              ).state;
          }
          const mark = store.state.watermark ?? T0;
          assert.ok(mark >= last, 'the watermark never moves backwards');
          assert.ok(
            covered(T0, mark, completed),
            'everything behind the watermark was loaded by some window',
          );
          const advance = store.state.windows
            .filter((w) => w.kind === 'advance' && w.end > mark)
            .sort((a, b) => a.start - b.start);
          for (let i = 1; i < advance.length; i++) {
            assert.ok(
              (advance[i]?.start ?? 0) >= (advance[i - 1]?.end ?? 0),
              'advance windows never overlap',
            );
          }
          assert.ok(covered(mark, plannedTo, advance), 'the ledger covers the watermark to the last plan');
          last = mark;
        }
      }),
      { numRuns: 200 },
    );
  });
});
