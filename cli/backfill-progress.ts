/**
 * A backfill's progress bar and its estimate of the time left. Every window is one export and
 * Iterable allows a few a minute per project (ITERABLE_EXPORTS_PER_MINUTE), so that rate bounds
 * the estimate from below; once windows finish, the pace actually seen can only make it longer.
 */
import { EXPORT_JOB_REQUESTS_PER_SECOND, EXPORT_JOBS_AT_ONCE } from '../functions/src/iterable/limits.js';
import { duration } from './status-report.js';

export interface BackfillProgress {
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  readonly rows: number;
  readonly elapsedMs: number;
  readonly exportsPerMinute: number;
  /** Planned windows read by export jobs, which the export limit does not pace. */
  readonly jobs?: number;
}

/** At least the paced time of what is left; more when the windows so far came slower than that. */
export function timeLeftMs(p: BackfillProgress): number {
  const left = Math.max(0, p.planned - p.done - p.failed);
  const streamed = p.planned === 0 ? 1 : 1 - (p.jobs ?? 0) / p.planned;
  const paced = ((left * streamed) / p.exportsPerMinute) * 60_000;
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
 * How long one export job takes from its start to its last file downloaded: an assumption, since
 * Iterable documents no processing time. Two minutes covers a wait in Iterable's queue, the job
 * itself over a window sized for 450,000 records (`pipeline/sizing.ts`) and ~20 files of ≤ 10 MB
 * downloaded 4 at once; the estimate is most sensitive to it, and the progress bar replaces it
 * with the pace actually seen once windows finish.
 */
export const ASSUMED_JOB_MS = 2 * 60_000;

/**
 * Export jobs at Iterable's limits: at most one start a second, and at most four jobs at once,
 * each taking ASSUMED_JOB_MS: max(jobs × 1 s, ⌈jobs ÷ 4⌉ × 2 min).
 */
export const jobsEstimateMs = (jobs: number): number =>
  Math.max(
    (jobs * 1000) / EXPORT_JOB_REQUESTS_PER_SECOND,
    Math.ceil(jobs / EXPORT_JOBS_AT_ONCE) * ASSUMED_JOB_MS,
  );

/**
 * Said before anything loads: how long the plan takes at Iterable's limits, with the formula.
 * Streamed windows are one export request each (a window split after cut-offs makes more, a retry
 * after a 429 waits), so their part is a floor; windows read by export jobs (`jobs` of `planned`)
 * run beside them under the jobs' own limits, so the plan takes the longer of the two.
 */
export function planEstimate(planned: number, exportsPerMinute: number, jobs = 0): string {
  const exports = planned - jobs;
  const streamMs = backfillEstimateMs(exports, exportsPerMinute);
  const streamFormula = `${exports} exports ÷ ${exportsPerMinute} exports/minute, Iterable's export limit`;
  if (jobs === 0) return `${planned} windows to load: at least ${duration(streamMs)} (${streamFormula})`;
  const jobsMs = jobsEstimateMs(jobs);
  const jobsFormula =
    `max(${jobs} jobs × 1 s a start, ⌈${jobs} ÷ ${EXPORT_JOBS_AT_ONCE} jobs at once⌉ × ` +
    `${duration(ASSUMED_JOB_MS)} a job, assumed)`;
  return (
    `${planned} windows to load, ${jobs} by export jobs and ${exports} by streaming exports: about ` +
    `${duration(Math.max(streamMs, jobsMs))}, the longer of ${duration(jobsMs)} for the jobs ` +
    `(${jobsFormula}) and ${duration(streamMs)} for the exports (${streamFormula})`
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
