/**
 * What a backfill still has to read: the planned windows minus every interval the stream has
 * loaded. Re-reading a loaded window would only replace its rows by the same ones, at the cost of
 * an export out of Iterable's 4 a minute.
 *
 * The loaded intervals are kept merged in the stream's state (`StreamState.loaded`), apart from
 * the window records: those are dropped a retention period behind the watermark, so the ledger
 * alone would forget that older history is loaded.
 */
import type { StreamState, WindowRecord } from '../ports.js';
import type { Interval } from '../time.js';
import type { PlannedWindow } from './window.js';

/**
 * At most this many separate loaded intervals are kept (a few KiB of the 1 MiB Firestore
 * document, ledger-size.ts). Loads are contiguous in practice, so the list is a handful long;
 * past the bound the oldest are forgotten, which only means a backfill reads them again.
 */
export const MAX_LOADED_INTERVALS = 200;

/** `intervals` with `added` merged in: sorted, with touching or overlapping intervals joined. */
export function mergeInterval(intervals: readonly Interval[], added: Interval): Interval[] {
  const merged: Interval[] = [];
  let current: Interval = { start: added.start, end: added.end };
  for (const i of intervals) {
    if (i.end < current.start || i.start > current.end) merged.push(i);
    else current = { start: Math.min(i.start, current.start), end: Math.max(i.end, current.end) };
  }
  merged.push(current);
  merged.sort((a, b) => a.start - b.start);
  return merged.slice(-MAX_LOADED_INTERVALS);
}

/** The parts of `range` that no interval of `covered` covers, in order. */
export function uncovered(range: Interval, covered: readonly Interval[]): Interval[] {
  const overlapping = covered
    .filter((c) => c.start < range.end && c.end > range.start)
    .sort((a, b) => a.start - b.start);
  const gaps: Interval[] = [];
  let cursor = range.start;
  for (const c of overlapping) {
    if (c.start > cursor) gaps.push({ start: cursor, end: c.start });
    cursor = Math.max(cursor, c.end);
    if (cursor >= range.end) return gaps;
  }
  if (cursor < range.end) gaps.push({ start: cursor, end: range.end });
  return gaps;
}

/** Intervals the stream has loaded: the merged record, and the done windows still in the ledger. */
const loadedIntervals = (state: StreamState): readonly Interval[] => [
  ...(state.loaded ?? []),
  ...state.windows.filter((r: WindowRecord) => r.status === 'done'),
];

/** Each planned window cut down to its parts the stream has not loaded. */
export function withoutLoaded(planned: readonly PlannedWindow[], state: StreamState): PlannedWindow[] {
  const loaded = loadedIntervals(state);
  return planned.flatMap((w) => uncovered(w, loaded).map((gap) => ({ ...gap, kind: w.kind })));
}
