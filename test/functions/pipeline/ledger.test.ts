import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  advance,
  applyClaim,
  applyComplete,
  applyFail,
  applyPlan,
  EMPTY_STATE,
} from '../../../functions/src/pipeline/ledger.js';
import type { PlannedWindow } from '../../../functions/src/pipeline/window.js';
import type { StreamState, WindowRecord } from '../../../functions/src/ports.js';

const H = 3600_000;
const T0 = Date.UTC(2026, 10, 1);
const w = (from: number, to: number, kind: PlannedWindow['kind'] = 'advance'): PlannedWindow => ({
  start: T0 + from * H,
  end: T0 + to * H,
  kind,
});
const COUNTS = { rows: 3, rejects: 0 };
const LEASE = 60_000;

function planned(windows: PlannedWindow[], now = T0): StreamState {
  return applyPlan(EMPTY_STATE, 'email_send', windows, T0, now, H).state;
}

function done(state: StreamState, window: PlannedWindow, now = T0): StreamState {
  const claimed = applyClaim(state, 'email_send', window, now, LEASE).state;
  return applyComplete(claimed, 'email_send', window, COUNTS, 1, now).state;
}

describe('applyPlan', () => {
  it('starts the watermark at `from` and enqueues new windows as pending', () => {
    const change = applyPlan(EMPTY_STATE, 'email_send', [w(0, 6), w(6, 12)], T0, T0, H);
    assert.equal(change.state.watermark, T0);
    assert.deepEqual(
      change.result.map((r) => [r.status, r.generation]),
      [
        ['pending', 0],
        ['pending', 0],
      ],
    );
  });
  it('enqueues nothing new when the same plan is recorded twice', () => {
    const state = planned([w(0, 6)]);
    assert.equal(applyPlan(state, 'email_send', [w(0, 6)], T0, T0 + 1000, H).result.length, 0);
  });
  it('plans a failed window again under the next generation', () => {
    const failed = applyFail(
      planned([w(0, 6)]),
      'email_send',
      w(0, 6),
      { error: 'boom', cut: false, pieces: 1 },
      T0,
    ).state;
    const [again] = applyPlan(failed, 'email_send', [w(0, 6)], T0, T0, H).result;
    assert.equal(again?.generation, 1);
    assert.equal(again?.status, 'pending');
  });
  it('plans a pending window again once it is stale (its task presumed lost)', () => {
    const state = planned([w(0, 6)]);
    assert.equal(applyPlan(state, 'email_send', [w(0, 6)], T0, T0 + H - 1, H).result.length, 0);
    assert.equal(applyPlan(state, 'email_send', [w(0, 6)], T0, T0 + H, H).result[0]?.generation, 1);
  });
  it('skips done windows', () => {
    const state = done(planned([w(0, 6)]), w(0, 6));
    assert.equal(applyPlan(state, 'email_send', [w(0, 6)], T0, T0, H).result.length, 0);
  });
  it('treats a lookback window as distinct from an advance window with the same bounds', () => {
    const state = done(planned([w(0, 6)]), w(0, 6));
    assert.equal(applyPlan(state, 'email_send', [w(0, 6, 'lookback')], T0, T0, H).result.length, 1);
  });
});

describe('applyClaim', () => {
  it('claims a window once while the lease holds, then again after it expires', () => {
    const first = applyClaim(planned([w(0, 6)]), 'email_send', w(0, 6), T0, LEASE);
    assert.equal(first.result.outcome, 'claimed');
    assert.equal(first.result.record.attempts, 1);
    const second = applyClaim(first.state, 'email_send', w(0, 6), T0 + LEASE - 1, LEASE);
    assert.equal(second.result.outcome, 'busy');
    const third = applyClaim(first.state, 'email_send', w(0, 6), T0 + LEASE, LEASE);
    assert.equal(third.result.outcome, 'claimed');
    assert.equal(third.result.record.attempts, 2);
  });
  it('reports a done window as done', () => {
    const state = done(planned([w(0, 6)]), w(0, 6));
    assert.equal(applyClaim(state, 'email_send', w(0, 6), T0, LEASE).result.outcome, 'done');
  });
});

describe('watermark', () => {
  it('moves only over the contiguous done prefix', () => {
    let state = planned([w(0, 6), w(6, 12), w(12, 18)]);
    state = done(state, w(6, 12));
    assert.equal(state.watermark, T0, 'a gap at the watermark holds it');
    state = done(state, w(0, 6));
    assert.equal(state.watermark, T0 + 12 * H, 'filling the gap moves it over both');
    state = done(state, w(12, 18));
    assert.equal(state.watermark, T0 + 18 * H);
  });
  it('is not moved by lookback windows and never moves backwards', () => {
    let state = done(planned([w(0, 6)]), w(0, 6));
    state = done(state, w(5, 6, 'lookback'));
    assert.equal(state.watermark, T0 + 6 * H);
  });
  it('steps over a longer done window that covers it', () => {
    const records = [{ ...record(w(0, 8)), status: 'done' as const }];
    assert.equal(advance(T0 + 6 * H, records), T0 + 8 * H);
  });
  it('drops failed windows the watermark has covered', () => {
    let state = planned([w(0, 4), w(0, 6)]);
    state = applyFail(state, 'email_send', w(0, 4), { error: 'cut off', cut: true, pieces: 1 }, T0).state;
    state = done(state, w(0, 6));
    assert.deepEqual(
      state.windows.map((r) => [r.start, r.end, r.status]),
      [[T0, T0 + 6 * H, 'done']],
    );
  });
});

function record(window: PlannedWindow): WindowRecord {
  return {
    stream: 'email_send',
    ...window,
    status: 'pending',
    attempts: 0,
    generation: 0,
    updatedAt: T0,
    leaseUntil: null,
    lastError: null,
    cuts: 0,
    pieces: 1,
    rows: null,
    rejects: null,
  };
}
