/**
 * Which way a window is read: the streaming export (`GET /api/export/data.json`, 4 a minute per
 * project) or an asynchronous export job (`POST /api/export/start`, 1 start a second and 4 jobs at
 * once per organization). `ITERABLE_EXPORT_MODE` forces one; otherwise jobs read bulk history.
 */
import type { ExportMode } from '../iterable/export-modes.js';
import type { QueuedTask } from '../ports.js';
import { DAY } from '../time.js';
import type { PlannedWindow } from './window.js';

/**
 * Without a forced mode, an `advance` or `backfill` window that ends more than this before now is
 * read by a job. Steady runs every 15 minutes read the last hour, where a job's fixed cost (a start,
 * a wait in Iterable's queue, polls, a listing: seconds to minutes) would only add latency, and
 * 4 exports a minute keep up with ~19 windows a day. A window two days old or more only comes
 * from a first load, a catch-up after an outage or `npm run backfill`: bulk ranges, where the
 * limit of 4 streaming exports a minute is what makes them take hours. Two days, not one, so the
 * daily settle pass and a normal day's catch-up stay on the streaming path.
 */
export const JOBS_AFTER_MS = 2 * DAY;

export function exportModeFor(forced: ExportMode | null, window: PlannedWindow, now: number): ExportMode {
  if (forced !== null) return forced;
  const bulk = window.kind === 'advance' || window.kind === 'backfill';
  return bulk && now - window.end > JOBS_AFTER_MS ? 'jobs' : 'stream';
}

/** Window tasks split, in one pass, by how each window will be read: the queue each goes to. */
export function splitByExportMode(
  tasks: readonly QueuedTask[],
  forced: ExportMode | null,
  now: number,
): { readonly stream: QueuedTask[]; readonly jobs: QueuedTask[] } {
  const split = { stream: [] as QueuedTask[], jobs: [] as QueuedTask[] };
  for (const task of tasks) {
    const { start, end, kind } = task.payload;
    split[exportModeFor(forced, { start: Date.parse(start), end: Date.parse(end), kind }, now)].push(task);
  }
  return split;
}
