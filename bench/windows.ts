/**
 * Measurement 6: how many exports a long backfill plans now that windows are sized by density
 * (`functions/src/pipeline/sizing.ts`), what that costs at Iterable's 4 exports a minute or as
 * export jobs at the jobs' limits (`cli/backfill-progress.ts`), and a real backfill against the
 * simulator, by streaming exports and by export jobs, whose requests are compared with its plan
 * and whose rows are compared with the simulator's ground truth.
 *
 * The plans come from the real fan-out over an in-memory ledger. "After N days of hourly runs" means
 * the ledger those hourly fan-outs leave, each window completed with the records the simulator
 * holds for it (its per-stream mix, scaled to the density asked), so the sizing reads a real history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backfillEstimateMs, jobsEstimateMs } from '../cli/backfill-progress.js';
import { STREAMS, type StreamName } from '../functions/src/catalog.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import type { ExportMode } from '../functions/src/iterable/export-modes.js';
import { SharedJobLimiter } from '../functions/src/iterable/job-limiter.js';
import { workerSource } from '../functions/src/iterable/job-source.js';
import { ITERABLE_EXPORTS_PER_MINUTE } from '../functions/src/iterable/limits.js';
import { NO_PACING } from '../functions/src/iterable/pacer.js';
import { type FanoutSettings, fanOut } from '../functions/src/pipeline/fanout.js';
import { applyClaim, applyComplete } from '../functions/src/pipeline/ledger.js';
import type { TaskQueue } from '../functions/src/ports.js';
import { DAY, HOUR, MINUTE } from '../functions/src/time.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { runLocal } from '../local/run.js';
import { generateDataset } from '../simulator/generate.js';
import { startSimulator } from '../simulator/server.js';
import { atMost, type Figure, figure } from './figure.js';
import { MemoryStateStore } from './memory-state-store.js';

export interface WindowSizes {
  readonly backfillDays: number;
  /** Events a day across all export streams: the demo's, and a busy project's. */
  readonly demoEventsPerDay: number;
  readonly busyEventsPerDay: number;
  /** Days of hourly regular runs before the backfill, whose ledger the sizing reads. */
  readonly historyDays: number;
  /** The backfill actually run against the simulator, at the demo's density. */
  readonly simulatedDays: number;
}

/** Exports a 365-day backfill planned with the fixed 6 h / 24 h windows (issue 16). */
const FIXED_WINDOW_EXPORTS = 6935;
const EXPORT_STREAMS = STREAMS.filter((s) => s.source.kind === 'export').map((s) => s.name);
const NOW = Date.UTC(2026, 10, 1);
const silentQueue: TaskQueue = { enqueue: async (tasks) => ({ created: tasks.length, existing: 0 }) };

const SETTINGS: FanoutSettings = {
  streams: EXPORT_STREAMS,
  windowMinutes: null,
  lagMs: 0,
  lookbackMs: 0,
  settleMs: 0,
  historyMs: 0,
  staleAfterMs: DAY,
  failedRetryDelayMs: 0,
};

/** Each export stream's share of all events, from a week of the simulator's project. */
function streamShares(): Map<StreamName, number> {
  const store = generateDataset({ seed: 3, from: NOW - 7 * DAY, to: NOW, events: 70_000 });
  const total = EXPORT_STREAMS.reduce((n, s) => n + store.count(s), 0);
  return new Map(EXPORT_STREAMS.map((s) => [s, store.count(s) / total]));
}

/**
 * Windows a backfill of `days` plans, behind the ledger `historyDays` of hourly regular runs up to
 * `NOW` leave (0: a stream with no history at all).
 */
async function plannedBackfill(
  shares: ReadonlyMap<StreamName, number>,
  eventsPerDay: number,
  days: number,
  historyDays: number,
): Promise<number> {
  const state = new MemoryStateStore();
  const start = NOW - historyDays * DAY;
  for (let to = start + HOUR; to <= NOW && historyDays > 0; to += HOUR) {
    await fanOut({ state, queue: silentQueue, now: () => to, log: () => {} }, SETTINGS, {
      from: start,
      to,
    });
    for (const stream of EXPORT_STREAMS) {
      const perMs = ((shares.get(stream) ?? 0) * eventsPerDay) / DAY;
      const { windows } = await state.read(stream);
      for (const w of windows.filter((r) => r.status === 'pending')) {
        await state.update(stream, (s) => applyClaim(s, stream, w, to, HOUR));
        const rows = Math.round(perMs * (w.end - w.start));
        await state.update(stream, (s) => applyComplete(s, stream, w, { rows, rejects: 0 }, 1, to));
      }
    }
  }
  const plan = await fanOut({ state, queue: silentQueue, now: () => NOW, log: () => {} }, SETTINGS, {
    from: start - days * DAY,
    to: start,
    backfill: true,
  });
  return plan.streams.reduce((n, s) => n + s.windows, 0);
}

/** A backfill run for real against the simulator: requests made vs windows planned, rows vs truth. */
/**
 * The backfill run against the simulator, by streaming exports or by export jobs (forced). In jobs
 * mode the simulator's and the client's jobs limits are lifted, as the export limit is, so the
 * figure is the requests and the rows, not Iterable's pace.
 */
async function simulatedBackfill(sizes: WindowSizes, mode: ExportMode): Promise<Figure[]> {
  const from = NOW - sizes.simulatedDays * DAY;
  const sim = await startSimulator({
    seed: 5,
    from,
    to: NOW,
    events: sizes.simulatedDays * sizes.demoEventsPerDay,
    apiKey: 'bench-key',
    exportsPerMinute: 1_000_000,
    jobRequestsPerSecond: 1_000_000,
    exportJobs: { runMs: 20 },
  });
  const client = new IterableClient({ baseUrl: sim.url, apiKey: 'bench-key' });
  const dir = mkdtempSync(join(tmpdir(), 'bench-windows-'));
  const warehouseFile = join(dir, 'warehouse.duckdb');
  try {
    const result = await runLocal({
      iterable: workerSource(client, mode, () => {}, {
        limiter: new SharedJobLimiter({ starts: NO_PACING, listings: NO_PACING }),
        jobs: { pollMs: 10, maxPollMs: 40 },
      }),
      exportMode: mode,
      jobsQueue: { maxDispatchesPerMinute: 1_000_000 },
      warehouseFile,
      streams: EXPORT_STREAMS,
      from,
      to: NOW,
      windowMinutes: null,
      lagMs: 0,
      lookbackMs: 0,
      historyMs: 0,
      exportsPerMinute: 1_000_000,
      log: () => {},
      now: () => NOW,
      backfill: true,
      queue: { maxConcurrentDispatches: 2 },
    });
    const planned = result.plan.streams.reduce((n, s) => n + s.windows, 0);
    const warehouse = await DuckDbWarehouse.open(warehouseFile);
    let loaded = 0;
    let differing = 0;
    try {
      for (const stream of EXPORT_STREAMS) {
        const rows = await warehouse.countRows(stream);
        loaded += rows;
        differing += Math.abs(rows - sim.truth.lines(stream, { start: from, end: NOW }).length);
      }
    } finally {
      await warehouse.close();
    }
    const jobs = mode === 'jobs';
    const label = `${sizes.simulatedDays}-day backfill against the simulator${jobs ? ', by export jobs' : ''}`;
    const made = jobs ? sim.stats.jobs() : sim.stats.exports;
    const unit = jobs ? 'jobs' : 'requests';
    return [
      figure(`${label}: windows planned`, planned, jobs ? 'jobs' : 'exports'),
      figure(`${label}: ${jobs ? 'export jobs started' : 'export requests made'}`, made, unit),
      figure(`${label}: ${unit} made ÷ planned, off by`, Math.abs(made / planned - 1) * 100, '%', atMost(20)),
      figure(`${label}: rows loaded`, loaded, 'rows'),
      figure(`${label}: rows differing from the simulator's truth`, differing, 'rows', atMost(0)),
    ];
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measureWindows(sizes: WindowSizes): Promise<Figure[]> {
  const days = sizes.backfillDays;
  const minutes = (exports: number) => backfillEstimateMs(exports, ITERABLE_EXPORTS_PER_MINUTE) / MINUTE;
  const figures: Figure[] = [];
  const shares = streamShares();
  for (const [name, perDay] of [
    ['demo density', sizes.demoEventsPerDay],
    ['busy project', sizes.busyEventsPerDay],
  ] as const) {
    const density = `${perDay.toLocaleString('en-US')} events/day`;
    const known = await plannedBackfill(shares, perDay, days, sizes.historyDays);
    const blind = await plannedBackfill(shares, perDay, days, 0);
    const demo = name === 'demo density';
    figures.push(
      figure(
        `${days}-day backfill, ${density}, after ${sizes.historyDays} days of hourly runs: exports planned`,
        known,
        'exports',
        demo ? atMost(FIXED_WINDOW_EXPORTS / 20) : null,
      ),
      figure(
        `  its estimated wall time at ${ITERABLE_EXPORTS_PER_MINUTE} exports/minute`,
        minutes(known),
        'min',
        demo ? atMost(60) : null,
      ),
      figure(
        '  the same windows as export jobs: estimated wall time (1 start/s, 4 at once, 2 min a job assumed)',
        jobsEstimateMs(known) / MINUTE,
        'min',
      ),
      figure(`${days}-day backfill, ${density}, no history at all: exports planned`, blind, 'exports'),
      figure(
        `  its estimated wall time at ${ITERABLE_EXPORTS_PER_MINUTE} exports/minute`,
        minutes(blind),
        'min',
      ),
    );
  }
  return [
    ...figures,
    ...(await simulatedBackfill(sizes, 'stream')),
    ...(await simulatedBackfill(sizes, 'jobs')),
  ];
}
