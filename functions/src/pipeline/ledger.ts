/**
 * The state protocol, as pure functions over one stream's state. Stores apply them inside a
 * transaction (ports.ts `StateStore.update`), so the rules live here once:
 * - a window is claimed by one attempt at a time (a lease), and a done window is never reloaded;
 * - the watermark moves only over a contiguous run of done `advance` windows starting at it,
 *   never to the largest `createdAt` seen (exports are unordered), and never backwards;
 * - a failed or stale window is planned again under the next generation (a new task name).
 */
import type { StreamName } from '../catalog.js';
import type { LoadCounts, StateChange, StreamState, WindowRecord } from '../ports.js';
import { mergeInterval } from './coverage.js';
import { boundLedger } from './ledger-size.js';
import type { PlannedWindow } from './window.js';

export const EMPTY_STATE: StreamState = { watermark: null, windows: [] };

/** Ledger entries this far behind the watermark are dropped, so the ledger stays small. */
export const LEDGER_RETENTION_MS = 7 * 24 * 3600_000;

export type ClaimOutcome = 'claimed' | 'done' | 'busy';

export interface ClaimResult {
  readonly outcome: ClaimOutcome;
  readonly record: WindowRecord;
}

const same = (a: PlannedWindow, b: PlannedWindow): boolean =>
  a.start === b.start && a.end === b.end && a.kind === b.kind;

const find = (state: StreamState, w: PlannedWindow): WindowRecord | undefined =>
  state.windows.find((r) => same(r, w));

function replace(state: StreamState, record: WindowRecord): readonly WindowRecord[] {
  const others = state.windows.filter((r) => !same(r, record));
  return [...others, record].sort((a, b) => a.start - b.start || a.end - b.end);
}

function fresh(stream: StreamName, w: PlannedWindow, now: number): WindowRecord {
  return {
    stream,
    start: w.start,
    end: w.end,
    kind: w.kind,
    status: 'pending',
    attempts: 0,
    generation: 0,
    updatedAt: now,
    leaseUntil: null,
    lastError: null,
    cuts: 0,
    pieces: 1,
    rows: null,
    rejects: null,
  };
}

/** Whether a queued or running window has gone quiet for so long that its task is presumed lost. */
function isStale(r: WindowRecord, now: number, staleAfterMs: number): boolean {
  if (r.status === 'running') return r.leaseUntil === null || r.leaseUntil <= now;
  return r.status === 'pending' && now - r.updatedAt >= staleAfterMs;
}

/**
 * Records a fan-out's plan as `recordWindows` does, the watermark starting at `from` on a stream's
 * first plan. Returns the windows to enqueue.
 */
export function applyPlan(
  state: StreamState,
  stream: StreamName,
  planned: readonly PlannedWindow[],
  from: number,
  now: number,
  staleAfterMs: number,
): StateChange<readonly WindowRecord[]> {
  const start = state.watermark === null ? { ...state, watermark: from } : state;
  return recordWindows(start, stream, planned, now, staleAfterMs);
}

/**
 * Records planned windows: new ones are added as pending, failed or stale ones planned again under
 * the next generation; returns the windows to enqueue. The watermark stays as it is, which is how
 * a backfill is recorded, even on a stream with none yet: a backfill says nothing about where the
 * regular runs should start.
 */
export function recordWindows(
  state: StreamState,
  stream: StreamName,
  planned: readonly PlannedWindow[],
  now: number,
  staleAfterMs: number,
): StateChange<readonly WindowRecord[]> {
  let next = state;
  const toEnqueue: WindowRecord[] = [];
  for (const w of planned) {
    const existing = find(next, w);
    let record: WindowRecord | null = null;
    if (!existing) record = fresh(stream, w, now);
    else if (existing.status === 'failed' || isStale(existing, now, staleAfterMs)) {
      record = {
        ...existing,
        status: 'pending',
        generation: existing.generation + 1,
        updatedAt: now,
        leaseUntil: null,
        permanent: false,
      };
    }
    if (record) {
      next = { ...next, windows: replace(next, record) };
      toEnqueue.push(record);
    }
  }
  return { state: prune(next), result: toEnqueue };
}

/** Takes the window for one load attempt, unless it is already done or leased to a live attempt. */
export function applyClaim(
  state: StreamState,
  stream: StreamName,
  w: PlannedWindow,
  now: number,
  leaseMs: number,
): StateChange<ClaimResult> {
  const existing = find(state, w) ?? fresh(stream, w, now);
  if (existing.status === 'done') return { state, result: { outcome: 'done', record: existing } };
  if (existing.status === 'running' && existing.leaseUntil !== null && existing.leaseUntil > now) {
    return { state, result: { outcome: 'busy', record: existing } };
  }
  const record: WindowRecord = {
    ...existing,
    status: 'running',
    attempts: existing.attempts + 1,
    leaseUntil: now + leaseMs,
    updatedAt: now,
  };
  return { state: { ...state, windows: replace(state, record) }, result: { outcome: 'claimed', record } };
}

/**
 * Marks the window done with its counts (and the pieces it was loaded in) and moves the watermark
 * over the contiguous done prefix.
 */
export function applyComplete(
  state: StreamState,
  stream: StreamName,
  w: PlannedWindow,
  counts: LoadCounts,
  pieces: number,
  now: number,
): StateChange<StreamState> {
  const existing = find(state, w) ?? fresh(stream, w, now);
  const record: WindowRecord = {
    ...existing,
    pieces,
    status: 'done',
    leaseUntil: null,
    lastError: null,
    rows: counts.rows,
    rejects: counts.rejects,
    updatedAt: now,
  };
  const windows = replace(state, record);
  const loaded = mergeInterval(state.loaded ?? [], record);
  const next = prune({ watermark: advance(state.watermark, windows), windows, loaded });
  return { state: next, result: next };
}

/**
 * Marks the attempt failed with its error; the queue or the next fan-out tries again. A `cut`
 * (body ended early, or Iterable went silent) is counted: repeated cuts split the window. A
 * `permanent` failure is one the queue is told not to retry (the next plan still does). The
 * ledger's size stays bounded however long the error (ledger-size.ts).
 */
export function applyFail(
  state: StreamState,
  stream: StreamName,
  w: PlannedWindow,
  failure: {
    readonly error: string;
    readonly cut: boolean;
    readonly pieces: number;
    readonly permanent?: boolean;
  },
  now: number,
): StateChange<WindowRecord> {
  const existing = find(state, w) ?? fresh(stream, w, now);
  const record: WindowRecord = {
    ...existing,
    cuts: existing.cuts + (failure.cut ? 1 : 0),
    pieces: failure.pieces,
    status: 'failed',
    leaseUntil: null,
    lastError: failure.error,
    permanent: failure.permanent ?? false,
    updatedAt: now,
  };
  const next = boundLedger({ ...state, windows: replace(state, record) });
  return { state: next, result: find(next, w) ?? record };
}

/**
 * The furthest point reachable from `watermark` by stepping through done advance windows that
 * cover it. A window that started earlier but reaches past the watermark still covers it.
 */
export function advance(watermark: number | null, windows: readonly WindowRecord[]): number | null {
  if (watermark === null) return null;
  let mark = watermark;
  for (;;) {
    let reach = mark;
    for (const r of windows) {
      if (r.kind === 'advance' && r.status === 'done' && r.start <= mark && r.end > reach) reach = r.end;
    }
    if (reach === mark) return mark;
    mark = reach;
  }
}

/**
 * Drops entries the ledger no longer needs: anything that ended a retention period behind the
 * watermark, and failed windows the watermark has since covered (a later plan loaded their
 * interval under other bounds). A backfill window stays until it is done, however old: no regular
 * plan covers it again, so the ledger is the only place its failure shows.
 */
function prune(state: StreamState): StreamState {
  const mark = state.watermark;
  if (mark === null) return state;
  const windows = state.windows.filter(
    (r) =>
      (r.kind === 'backfill' && r.status !== 'done') ||
      (r.end > mark - LEDGER_RETENTION_MS &&
        !(r.status === 'failed' && r.kind === 'advance' && r.end <= mark)),
  );
  return windows.length === state.windows.length ? state : { ...state, windows };
}
