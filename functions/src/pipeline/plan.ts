/**
 * Window planning: which `[start, end)` intervals a fan-out asks the workers to load.
 * Pure arithmetic, so it is table-tested and property-tested without any I/O.
 */
import type { WindowLength } from './sizing.js';
import type { PlannedWindow, WindowKind } from './window.js';

export interface ExportPlanInput {
  /** Everything before it is loaded. */
  readonly watermark: number;
  /** End of the range to load (exclusive): `now − lag`, or the `--to` given. */
  readonly to: number;
  /** A fixed length, or the sized length of each window of the plan (`sizing.ts`). */
  readonly lengthMs: WindowLength;
  /**
   * End of the advance windows already in the ledger (at least the watermark): new advance windows
   * start there, so a plan never cuts an interval already planned under other bounds (sized lengths
   * change as windows complete) and the ledger's advance windows tile `[watermark, to)` once.
   */
  readonly plannedUntil?: number;
  /**
   * End of the furthest advance window already loaded: ahead of the watermark when an earlier
   * window failed. The lookback trails it, so windows loaded past a stuck watermark are re-read too.
   */
  readonly loadedUntil: number;
  /** How far behind the loaded edge to re-read, for events Iterable makes visible late. */
  readonly lookbackMs: number;
  /** Where history starts: a lookback never reaches before it. */
  readonly from: number;
}

/**
 * Cuts `[start, end)` at multiples of each window's length since the epoch, so that every plan of
 * a stream produces the same boundaries (and so the same task names) whatever the watermark was.
 */
export function cutWindows(
  start: number,
  end: number,
  length: WindowLength,
  kind: WindowKind,
): PlannedWindow[] {
  const lengthOf = typeof length === 'number' ? () => length : length;
  const windows: PlannedWindow[] = [];
  for (let cursor = start; cursor < end; ) {
    const lengthMs = lengthOf(windows.length);
    if (!(lengthMs > 0)) throw new RangeError(`window length must be positive, got ${lengthMs}`);
    const boundary = (Math.floor(cursor / lengthMs) + 1) * lengthMs;
    const next = Math.min(boundary, end);
    windows.push({ start: cursor, end: next, kind });
    cursor = next;
  }
  return windows;
}

/**
 * An export stream's plan: advance windows from the watermark to `to`, then a lookback re-read of
 * the trailing edge of what is loaded, which never moves the watermark.
 */
export function planExportWindows(input: ExportPlanInput): PlannedWindow[] {
  const { watermark, to, lengthMs, lookbackMs, from } = input;
  const advance = cutWindows(Math.max(watermark, input.plannedUntil ?? watermark), to, lengthMs, 'advance');
  const edge = Math.max(watermark, input.loadedUntil);
  const lookbackEnd = Math.min(edge, to);
  const lookbackStart = Math.max(edge - lookbackMs, from);
  // The lookback is short and re-read on every run: one length, the plan's first.
  const lookbackLength = typeof lengthMs === 'number' ? lengthMs : lengthMs(0);
  const lookback = lookbackMs > 0 ? cutWindows(lookbackStart, lookbackEnd, lookbackLength, 'lookback') : [];
  return [...advance, ...lookback];
}

/** A dimension is read whole: one snapshot window per plan, from the last snapshot to `to`. */
export function planSnapshot(watermark: number, to: number): PlannedWindow[] {
  return to > watermark ? [{ start: watermark, end: to, kind: 'advance' }] : [];
}

/**
 * A backfill: `[from, to)` cut at the stream's usual boundaries, but only the part behind the
 * watermark, since everything from the watermark on is the regular runs' to load. A stream with
 * no watermark yet has nothing loaded, so the whole range is planned.
 */
export function planBackfillWindows(
  from: number,
  to: number,
  watermark: number | null,
  lengthMs: WindowLength,
): PlannedWindow[] {
  return cutWindows(from, Math.min(to, watermark ?? to), lengthMs, 'backfill');
}
