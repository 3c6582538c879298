/**
 * A backfill reads only what the ledger does not have as loaded: `uncovered` subtracts intervals,
 * `withoutLoaded` cuts planned windows down to it, and the fan-out uses it unless asked to re-read.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  MAX_LOADED_INTERVALS,
  mergeInterval,
  uncovered,
  withoutLoaded,
} from '../../../functions/src/pipeline/coverage.js';
import { type FanoutSettings, fanOut } from '../../../functions/src/pipeline/fanout.js';
import {
  applyClaim,
  applyComplete,
  applyPlan,
  EMPTY_STATE,
  LEDGER_RETENTION_MS,
} from '../../../functions/src/pipeline/ledger.js';
import type { StreamState, WindowRecord } from '../../../functions/src/ports.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { RecordingQueue } from '../../support/pipeline.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 1);
const at = (hours: number) => T0 + hours * H;
const hours = (list: readonly { start: number; end: number }[]) =>
  list.map((i) => `${(i.start - T0) / H}-${(i.end - T0) / H}`);
const iv = (a: number, b: number) => ({ start: at(a), end: at(b) });

describe('uncovered', () => {
  const cases: [string, [number, number], [number, number][], string[]][] = [
    ['nothing covered: the whole range', [0, 24], [], ['0-24']],
    [
      'a hole in the middle',
      [0, 24],
      [
        [0, 6],
        [12, 24],
      ],
      ['6-12'],
    ],
    [
      'covers reaching past both ends',
      [6, 18],
      [
        [0, 8],
        [16, 30],
      ],
      ['8-16'],
    ],
    [
      'overlapping and unordered covers',
      [0, 24],
      [
        [10, 20],
        [0, 4],
        [3, 12],
      ],
      ['20-24'],
    ],
    ['fully covered', [0, 24], [[0, 24]], []],
    [
      'covers outside the range change nothing',
      [6, 12],
      [
        [0, 6],
        [12, 18],
      ],
      ['6-12'],
    ],
  ];
  for (const [name, range, covered, want] of cases) {
    it(name, () =>
      assert.deepEqual(
        hours(
          uncovered(
            iv(...range),
            covered.map(([a, b]) => iv(a, b)),
          ),
        ),
        want,
      ),
    );
  }

  it('leaves exactly the hours of the range that no cover holds', () => {
    const cover = fc.tuple(fc.integer({ min: 0, max: 48 }), fc.integer({ min: 1, max: 12 }));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.array(cover),
        (s, n, cs) => {
          const covered = cs.map(([a, len]) => iv(a, a + len));
          const gaps = uncovered(iv(s, s + n), covered);
          for (let h = s; h < s + n; h++) {
            const inGap = gaps.some((g) => g.start <= at(h) && at(h) < g.end);
            const isCovered = covered.some((c) => c.start <= at(h) && at(h) < c.end);
            assert.equal(inGap, !isCovered, `hour ${h}`);
          }
        },
      ),
    );
  });
});

const record = (a: number, b: number, status: WindowRecord['status']): WindowRecord => ({
  stream: 'email_send',
  start: at(a),
  end: at(b),
  kind: 'advance',
  status,
  attempts: 1,
  generation: 0,
  updatedAt: T0,
  leaseUntil: null,
  lastError: null,
  cuts: 0,
  pieces: 1,
  rows: 1,
  rejects: 0,
});

describe('withoutLoaded', () => {
  it('keeps what done windows do not cover, whatever failed or is pending', () => {
    const planned = [0, 6, 12, 18].map((h) => ({ start: at(h), end: at(h + 6), kind: 'backfill' as const }));
    const ledger = [record(3, 12, 'done'), record(12, 18, 'failed'), record(18, 24, 'pending')];
    const state = { watermark: at(0), windows: ledger };
    assert.deepEqual(hours(withoutLoaded(planned, state)), ['0-3', '12-18', '18-24']);
  });

  it('remembers loaded history after the ledger has dropped its windows', () => {
    const windows = Array.from({ length: 40 }, (_, i) => ({
      start: at(6 * i),
      end: at(6 * i + 6),
      kind: 'advance' as const,
    }));
    let state: StreamState = applyPlan(EMPTY_STATE, 'email_send', windows, at(0), at(0), H).state;
    for (const w of windows) {
      state = applyClaim(state, 'email_send', w, at(240), H).state;
      state = applyComplete(state, 'email_send', w, { rows: 1, rejects: 0 }, 1, at(240)).state;
    }
    assert.equal(state.watermark, at(240));
    assert.ok(
      state.windows.every((r) => r.end > at(240) - LEDGER_RETENTION_MS),
      'windows more than the retention behind the watermark are dropped',
    );
    assert.deepEqual(hours(state.loaded ?? []), ['0-240'], 'one merged interval');
    const backfill = [0, 6, 12, 18].map((h) => ({ start: at(h), end: at(h + 6), kind: 'backfill' as const }));
    assert.deepEqual(withoutLoaded(backfill, state), []);
    const earlier = [{ start: at(-12), end: at(6), kind: 'backfill' as const }];
    assert.deepEqual(hours(withoutLoaded(earlier, state)), ['-12-0']);
  });
});

describe('mergeInterval', () => {
  it('joins touching and overlapping intervals and keeps the others apart, in order', () => {
    let loaded = mergeInterval([], iv(10, 12));
    loaded = mergeInterval(loaded, iv(0, 2));
    loaded = mergeInterval(loaded, iv(2, 4));
    loaded = mergeInterval(loaded, iv(11, 15));
    assert.deepEqual(hours(loaded), ['0-4', '10-15']);
    assert.deepEqual(hours(mergeInterval(loaded, iv(3, 11))), ['0-15']);
  });

  it('keeps at most MAX_LOADED_INTERVALS, forgetting the oldest', () => {
    let loaded: ReturnType<typeof mergeInterval> = [];
    for (let i = 0; i <= MAX_LOADED_INTERVALS; i++) loaded = mergeInterval(loaded, iv(2 * i, 2 * i + 1));
    assert.equal(loaded.length, MAX_LOADED_INTERVALS);
    assert.deepEqual(hours(loaded.slice(0, 1)), ['2-3']);
  });
});

const SETTINGS: FanoutSettings = {
  streams: ['email_send'],
  // A fixed 6-hour grid, so the windows each range holds are known.
  windowMinutes: 6 * 60,
  lagMs: 0,
  lookbackMs: 0,
  settleMs: 0,
  historyMs: 30 * 24 * H,
  staleAfterMs: H,
  failedRetryDelayMs: 0,
};

describe('fanOut of a backfill over loaded history', () => {
  it('plans only what no done window covers, and everything with reread', async () => {
    const state = await JsonFileStateStore.open(join(mkdtempSync(join(tmpdir(), 'coverage-')), 'state.json'));
    const queue = new RecordingQueue();
    const deps = { state, queue, now: () => at(60), log: () => {} };
    await fanOut(deps, SETTINGS, { from: at(24) });
    for (const task of queue.tasks) {
      const w = {
        start: Date.parse(task.payload.start),
        end: Date.parse(task.payload.end),
        kind: task.payload.kind,
      };
      await state.update('email_send', (s) => applyClaim(s, 'email_send', w, at(60), H));
      await state.update('email_send', (s) => ({
        state: applyComplete(s, 'email_send', w, { rows: 1, rejects: 0 }, 1, at(60)).state,
        result: null,
      }));
    }
    const loaded = await fanOut(deps, SETTINGS, { from: at(12), to: at(48), backfill: true });
    assert.deepEqual(
      loaded.streams.map((s) => s.windows),
      [2],
      'only 12-24: 24-48 is loaded',
    );
    const again = await fanOut(deps, SETTINGS, { from: at(12), to: at(48), backfill: true, reread: true });
    assert.deepEqual(
      again.streams.map((s) => s.windows),
      [4],
      '24-48 read again; 12-24 is queued already from the first backfill',
    );
    await state.close();
  });
});
