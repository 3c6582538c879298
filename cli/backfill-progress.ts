/**
 * A backfill's progress bar and its estimate of the time left. Every window is one export and
 * Iterable allows a few a minute per project (ITERABLE_EXPORTS_PER_MINUTE), so that rate bounds
 * the estimate from below; once windows finish, the pace actually seen can only make it longer.
 */
import { duration } from './status-report.js';

export interface BackfillProgress {
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly rows: number;
  readonly elapsedMs: number;
  readonly exportsPerMinute: number;
}

/** At least the paced time of what is left; more when the windows so far came slower than that. */
export function timeLeftMs(p: BackfillProgress): number {
  const left = Math.max(0, p.planned - p.done - p.failed);
  const paced = (left / p.exportsPerMinute) * 60_000;
  const finished = p.done + p.failed;
  const seen = finished > 0 ? (left * p.elapsedMs) / finished : 0;
  return Math.max(paced, seen);
}

const BAR_WIDTH = 30;

export function progressBar(p: BackfillProgress): string {
  const finished = p.done + p.failed;
  const share = p.planned === 0 ? 1 : finished / p.planned;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  const failed = p.failed > 0 ? `, ${p.failed} failed` : '';
  const left = finished === p.planned ? 'done' : `~${duration(timeLeftMs(p))} left`;
  return `[${bar}] ${Math.floor(share * 100)}% ${finished}/${p.planned} windows, ${p.rows.toLocaleString('en-US')} rows${failed}, ${left}`;
}

/** A plan's time at the export limit alone: one export per window. */
export const backfillEstimateMs = (planned: number, exportsPerMinute: number): number =>
  timeLeftMs({ planned, done: 0, failed: 0, rows: 0, elapsedMs: 0, exportsPerMinute });

/**
 * Said before anything loads: how long the plan takes at the export limit alone, with the formula.
 * Every window is one export request (a window split after cut-offs makes more, a retry after a
 * 429 waits), so this is a floor.
 */
export function planEstimate(planned: number, exportsPerMinute: number): string {
  const ms = backfillEstimateMs(planned, exportsPerMinute);
  return (
    `${planned} windows to load: at least ${duration(ms)} ` +
    `(${planned} exports ÷ ${exportsPerMinute} exports/minute, Iterable's export limit)`
  );
}

/** The plan, one line per stream: how many windows, one export each. */
export function planLines(streams: readonly { stream: string; windows: number }[]): string {
  return streams.map((s) => `  ${s.stream.padEnd(26)} ${s.windows} windows\n`).join('');
}

/** The closing line: windows, rows read and new, failures, time. */
export function backfillSummary(p: BackfillProgress, newRows: number): string {
  const failed =
    p.failed > 0 ? `, ${p.failed} failed (run the same backfill again to retry them)` : ', none failed';
  return (
    `Backfill: ${p.done}/${p.planned} windows loaded, ${p.rows.toLocaleString('en-US')} rows read ` +
    `(${newRows.toLocaleString('en-US')} new)${failed}, in ${duration(p.elapsedMs)}`
  );
}
