/**
 * The daily settle pass: once a day, each export stream's latest UTC day that ended at least
 * `settleMs` ago is re-read whole as one replace window. Iterable's export is eventually
 * consistent beyond the run's lookback: another connector lost an `emailSend` still missing from
 * the export two hours after its `createdAt` (https://github.com/airbytehq/airbyte/issues/74378),
 * and the lookback re-reads only the last hour. Replacing the day once it has settled puts such
 * records in, exactly once (a window load replaces its interval).
 *
 * Cost: one export per stream per day. The ledger keeps a done window for its retention period
 * (ledger.ts), so the same day is never planned twice; a `settle` window never moves the
 * watermark (only `advance` windows do), and a day the watermark has not passed is not settled:
 * the regular runs have not loaded it yet.
 */
import { DAY } from '../time.js';
import type { PlannedWindow } from './window.js';

export interface SettleInput {
  readonly now: number;
  /** How long after a day's end it is re-read (SETTLE_HOURS); 0 turns the pass off. */
  readonly settleMs: number;
  /** Everything before it is loaded. */
  readonly watermark: number;
  /** Where history starts: a settle window never reaches before it. */
  readonly from: number;
}

/** The one settle window to plan now: the latest settled, loaded day; none if there is none. */
export function planSettleWindow({ now, settleMs, watermark, from }: SettleInput): PlannedWindow[] {
  if (!(settleMs > 0)) return [];
  const end = Math.floor(Math.min(now - settleMs, watermark) / DAY) * DAY;
  const start = Math.max(end - DAY, from);
  return start < end ? [{ start, end, kind: 'settle' }] : [];
}
