/**
 * Backfills: an operator's range behind the watermark, planned as `backfill` windows that load
 * like any other and never move the watermark, whatever order they complete or fail in.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BackfillTooLargeError,
  type FanoutSettings,
  fanOut,
  MAX_BACKFILL_WINDOWS,
} from '../../../functions/src/pipeline/fanout.js';
import {
  applyClaim,
  applyComplete,
  applyFail,
  applyPlan,
  EMPTY_STATE,
  LEDGER_RETENTION_MS,
  recordWindows,
} from '../../../functions/src/pipeline/ledger.js';
import { planBackfillWindows } from '../../../functions/src/pipeline/plan.js';
import type { StreamState } from '../../../functions/src/ports.js';
import { JsonFileStateStore } from '../../../local/json-state-store.js';
import { RecordingQueue } from '../../support/pipeline.js';

const H = 3600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 1);
const at = (hours: number) => T0 + hours * H;
const span = (w: { start: number; end: number; kind: string }) =>
  `${w.kind} ${(w.start - T0) / H}-${(w.end - T0) / H}`;

describe('planBackfillWindows', () => {
  const cases: { name: string; args: [number, number, number | null, number]; want: string[] }[] = [
    {
      name: 'a stream with no watermark: the whole range',
      args: [at(0), at(12), null, 6 * H],
      want: ['backfill 0-6', 'backfill 6-12'],
    },
    {
      name: 'stops at the watermark: the rest is the regular runs’ to load',
      args: [at(0), at(24), at(9), 6 * H],
      want: ['backfill 0-6', 'backfill 6-9'],
    },
    {
      name: 'nothing when the range lies wholly past the watermark',
      args: [at(10), at(24), at(9), 6 * H],
      want: [],
    },
    {
      name: 'cut at the boundaries regular windows use',
      args: [at(1), at(13), null, 6 * H],
      want: ['backfill 1-6', 'backfill 6-12', 'backfill 12-13'],
    },
  ];
  for (const { name, args, want } of cases) {
    it(name, () => assert.deepEqual(planBackfillWindows(...args).map(span), want));
  }
});

describe('recordWindows', () => {
  it('leaves a missing watermark missing, and an existing one where it was', () => {
    const planned = planBackfillWindows(at(0), at(12), null, 6 * H);
    assert.equal(recordWindows(EMPTY_STATE, 'email_send', planned, T0, H).state.watermark, null);
    const regular = applyPlan(EMPTY_STATE, 'email_send', [], at(48), T0, H).state;
    assert.equal(recordWindows(regular, 'email_send', planned, T0, H).state.watermark, at(48));
  });

  it('keeps a failed backfill window older than the retention until it is done', () => {
    const now = at(48) + 30 * DAY;
    const old = { start: at(0), end: at(6), kind: 'backfill' as const };
    let state = applyPlan(EMPTY_STATE, 'email_send', [], now - H, now, H).state;
    state = recordWindows(state, 'email_send', [old], now, H).state;
    state = applyClaim(state, 'email_send', old, now, H).state;
    state = applyFail(state, 'email_send', old, { error: 'boom', cut: false, pieces: 1 }, now).state;
    assert.ok(now - H - old.end > LEDGER_RETENTION_MS, 'the window is older than the retention');
    assert.deepEqual(
      state.windows.map((w) => [span(w), w.status]),
      [['backfill 0-6', 'failed']],
    );
    const [again] = recordWindows(state, 'email_send', [old], now, H).result;
    assert.equal(again?.generation, 1, 'backfilling again retries it under a new task name');
    state = applyClaim(state, 'email_send', old, now, H).state;
    state = applyComplete(state, 'email_send', old, { rows: 1, rejects: 0 }, 1, now).state;
    assert.deepEqual(state.windows, [], 'once done it is pruned like any old window');
  });

  it('never moves the watermark, whatever completes or fails in whichever order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 96 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 40 }),
        (watermarkHours, steps) => {
          let state: StreamState = applyPlan(EMPTY_STATE, 'email_send', [], at(watermarkHours), T0, H).state;
          const planned = planBackfillWindows(at(0), at(120), state.watermark, 6 * H);
          state = recordWindows(state, 'email_send', planned, T0, H).state;
          for (const [pick, succeed] of steps) {
            const w = planned[pick % Math.max(1, planned.length)];
            if (!w) continue;
            state = applyClaim(state, 'email_send', w, T0, H).state;
            state = succeed
              ? applyComplete(state, 'email_send', w, { rows: 1, rejects: 0 }, 1, T0).state
              : applyFail(state, 'email_send', w, { error: 'x', cut: false, pieces: 1 }, T0).state;
            assert.equal(state.watermark, at(watermarkHours));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Fixed 6-hour windows, so plans are known in advance; sized ones are tested below. */
const SETTINGS: FanoutSettings = {
  streams: ['email_send', 'channels'],
  windowMinutes: 6 * 60,
  lagMs: 0,
  lookbackMs: H,
  historyMs: 30 * DAY,
  staleAfterMs: H,
  failedRetryDelayMs: 0,
  settleMs: 0,
};

describe('fanOut with backfill', () => {
  const deps = async (now: number) => ({
    state: await JsonFileStateStore.open(join(mkdtempSync(join(tmpdir(), 'backfill-')), 'state.json')),
    queue: new RecordingQueue(),
    now: () => now,
    log: () => {},
  });

  it('enqueues backfill windows behind the watermark, skips dimensions, and moves nothing', async () => {
    const d = await deps(at(100));
    await fanOut(d, SETTINGS, { from: at(48) });
    const before = await d.state.read('email_send');
    d.queue.tasks.length = 0;
    const result = await fanOut(d, SETTINGS, { from: at(24), to: at(60), backfill: true });
    assert.deepEqual(
      result.streams.map((s) => [s.stream, s.windows]),
      [
        ['email_send', 4],
        ['channels', 0],
      ],
    );
    assert.deepEqual(
      d.queue.tasks.map((t) => `${t.payload.kind} ${t.payload.start}`),
      [24, 30, 36, 42].map((h) => `backfill ${new Date(at(h)).toISOString()}`),
    );
    assert.equal((await d.state.read('email_send')).watermark, before.watermark);
    assert.equal((await d.state.read('channels')).windows.length, 1, 'only the regular snapshot');
    await d.state.close();
  });

  it('refuses a range too long for one ledger, saying how to split it', async () => {
    const d = await deps(at(100));
    const from = at(100) - (MAX_BACKFILL_WINDOWS + 1) * 6 * H;
    await assert.rejects(
      fanOut(d, SETTINGS, { from, to: at(100), streams: ['email_send'], backfill: true }),
      (error: unknown) => error instanceof BackfillTooLargeError && /shorter range/.test(error.message),
    );
    assert.equal(d.queue.tasks.length, 0);
    await d.state.close();
  });
});

describe('fanOut with backfill, windows sized by density', () => {
  it('plans a year of a stream with no history in growing windows up to the blind cap', async () => {
    const now = Date.UTC(2026, 10, 1);
    const d = {
      state: await JsonFileStateStore.open(join(mkdtempSync(join(tmpdir(), 'backfill-')), 'state.json')),
      queue: new RecordingQueue(),
      now: () => now,
      log: () => {},
    };
    const from = now - 365 * DAY;
    const result = await fanOut(
      d,
      { ...SETTINGS, windowMinutes: null },
      { from, to: now, streams: ['email_send'], backfill: true },
    );
    const windows = d.queue.tasks.map((t) => ({
      start: Date.parse(t.payload.start),
      end: Date.parse(t.payload.end),
    }));
    assert.equal(result.streams[0]?.windows, windows.length);
    assert.ok(windows.length <= (365 * 24 * 60) / 2 ** 11 + 10, `${windows.length} windows for a year`);
    assert.equal(windows[0]?.start, from);
    assert.equal(windows.at(-1)?.end, now);
    for (const [i, w] of windows.entries()) {
      if (i > 0) assert.equal(w.start, windows[i - 1]?.end, 'contiguous');
      assert.ok(w.end - w.start <= 90 * DAY);
    }
    await d.state.close();
  });
});
