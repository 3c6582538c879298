/**
 * What a backfill still has to read: the planned windows minus every interval the ledger records
 * as loaded (a done window of any kind). Re-reading a loaded window would only replace its rows by
 * the same ones, at the cost of an export out of Iterable's 4 a minute.
 */
import type { WindowRecord } from '../ports.js';
import type { Interval } from '../time.js';
import type { PlannedWindow } from './window.js';

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

/**
 * Each planned window cut down to its parts no done window covers. The ledger forgets windows a
 * retention period behind the watermark (`LEDGER_RETENTION_MS`), so older history is read again.
 */
export function withoutLoaded(
  planned: readonly PlannedWindow[],
  ledger: readonly WindowRecord[],
): PlannedWindow[] {
  const done = ledger.filter((r) => r.status === 'done');
  return planned.flatMap((w) => uncovered(w, done).map((gap) => ({ ...gap, kind: w.kind })));
}
