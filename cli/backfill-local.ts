/**
 * A backfill on this machine, through the same path as `npm start`: the fan-out plans the range as
 * backfill windows (behind each stream's watermark, which stays put), the local queue dispatches
 * them to the worker at the export limit, and a progress bar shows how far it got. The fact tables
 * are then built as after `npm start` (Iterable's campaign totals reloaded for the reconciliation),
 * with a lookback reaching back to the range's start, since a regular build only recomputes the
 * last days.
 */
import type { StreamName } from '../functions/src/catalog.js';
import type { ExportMode } from '../functions/src/iterable/export-modes.js';
import type { Logger } from '../functions/src/log.js';
import type { CampaignMetricsSource } from '../functions/src/pipeline/campaign-metrics-refresh.js';
import { exportsLoadedUntil } from '../functions/src/pipeline/loaded-until.js';
import type { IterableSource } from '../functions/src/ports.js';
import { DAY } from '../functions/src/time.js';
import { buildFacts } from '../local/facts.js';
import { readWatermarks, runLocal } from '../local/run.js';
import { RunTally } from '../local/run-tally.js';
import type { Datasets } from '../sql/datasets.js';
import { type BackfillProgress, planEstimate, planLines, progressBar } from './backfill-progress.js';

const TERMINAL_TICK_MS = 250;
const LOG_TICK_MS = 5000;

export interface LocalBackfill {
  readonly iterable: IterableSource;
  readonly warehouseFile: string;
  readonly datasets: Datasets;
  readonly streams: readonly StreamName[];
  readonly from: number;
  readonly to: number;
  readonly windowMinutes: number | null;
  readonly exportsPerMinute: number;
  /** `ITERABLE_EXPORT_MODE` when forced; `null`: a backfill's windows older than two days use jobs. */
  readonly exportMode?: ExportMode | null;
  /** The jobs queue's pace, when not Iterable's (the demo's simulator). */
  readonly jobsQueue?: Parameters<typeof runLocal>[0]['jobsQueue'];
  /** Iterable's campaign totals, reloaded for the reconciliation once the range is in. */
  readonly metrics: CampaignMetricsSource;
  readonly log: Logger;
  /** Where progress lines go; a terminal gets one line redrawn in place. */
  readonly out: NodeJS.WriteStream | NodeJS.WritableStream;
  readonly now?: () => number;
  /** Read windows the ledger has as loaded again too. */
  readonly reread?: boolean;
  /** Test hook: the queue's retry timing. */
  readonly queue?: Parameters<typeof runLocal>[0]['queue'];
}

export interface LocalBackfillResult {
  readonly progress: BackfillProgress;
  readonly lastErrors: readonly string[];
  /** Why Iterable's campaign totals could not be reloaded, or `null`. */
  readonly metricsError: string | null;
}

export async function backfillLocal(b: LocalBackfill): Promise<LocalBackfillResult> {
  const now = b.now ?? Date.now;
  const startedAt = now();
  const tally = new RunTally(startedAt, now);
  let jobs = 0;
  const progress = (): BackfillProgress => {
    const streams = tally.streams();
    const sum = (key: 'planned' | 'done' | 'failed' | 'rows') => streams.reduce((n, s) => n + s[key], 0);
    return {
      planned: sum('planned'),
      done: sum('done'),
      failed: sum('failed'),
      rows: sum('rows'),
      elapsedMs: now() - startedAt,
      exportsPerMinute: b.exportsPerMinute,
      jobs,
    };
  };
  const terminal = 'isTTY' in b.out && b.out.isTTY === true;
  const draw = () =>
    b.out.write(terminal ? `\r\x1b[2K${progressBar(progress())}` : `${progressBar(progress())}\n`);
  let timer: NodeJS.Timeout | undefined;
  try {
    await runLocal({
      iterable: b.iterable,
      warehouseFile: b.warehouseFile,
      datasets: b.datasets,
      streams: b.streams,
      from: b.from,
      to: b.to,
      windowMinutes: b.windowMinutes,
      lagMs: 0,
      lookbackMs: 0,
      historyMs: 0,
      exportsPerMinute: b.exportsPerMinute,
      exportMode: b.exportMode ?? null,
      ...(b.jobsQueue ? { jobsQueue: b.jobsQueue } : {}),
      log: b.log,
      now,
      backfill: true,
      reread: b.reread ?? false,
      queue: { ...b.queue, onEvent: tally.record },
      onStarted: ({ plan, jobs: planned }) => {
        jobs = planned;
        tally.planned(plan);
        b.out.write(
          `${planLines(plan.streams)}${planEstimate(progress().planned, b.exportsPerMinute, jobs)}\n`,
        );
        timer = setInterval(draw, terminal ? TERMINAL_TICK_MS : LOG_TICK_MS);
      },
    });
  } finally {
    clearInterval(timer);
  }
  draw();
  if (terminal) b.out.write('\n');
  const facts = await buildFacts({
    warehouseFile: b.warehouseFile,
    datasets: b.datasets,
    metrics: b.metrics,
    lookbackDays: Math.ceil((now() - b.from) / DAY) + 1,
    loadedUntil: exportsLoadedUntil(await readWatermarks(b.warehouseFile)),
    now: now(),
  });
  const lastErrors = tally
    .streams()
    .filter((s) => s.failed > 0)
    .map((s) => `${s.stream}: ${s.lastError}`);
  return { progress: progress(), lastErrors, metricsError: facts.metricsError };
}
