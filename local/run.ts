/**
 * One local run of the pipeline, the way GCP runs it: the two functions served by the Functions
 * Framework on loopback, a fan-out request like Cloud Scheduler's, and a local task queue that
 * dispatches one HTTP task per window to the worker, until every window is done or has failed.
 */
import type { AddressInfo, Server } from 'node:net';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { STREAMS, type StreamName } from '../functions/src/catalog.js';
import type { ExportMode } from '../functions/src/iterable/export-modes.js';
import type { Logger } from '../functions/src/log.js';
import type { FanoutResult } from '../functions/src/pipeline/fanout.js';
import type { IterableSource, Warehouse } from '../functions/src/ports.js';
import { FUNCTION_NAMES, registerFanout, registerWorker } from '../functions/src/register.js';
import type { Datasets } from '../sql/datasets.js';
import { DuckDbWarehouse } from './duckdb-warehouse.js';
import { JsonFileStateStore } from './json-state-store.js';
import { RoutedTaskQueue } from './routed-task-queue.js';
import type { QueueSummary } from './task-queue.js';
import type { LocalTaskQueueOptions } from './task-queue-options.js';

/** Lease of a local load attempt: longer than any local window takes, short enough to recover. */
const LOCAL_LEASE_MS = 10 * 60_000;

/**
 * The local queue lives only as long as the process, so a window left pending by an earlier
 * process has no task any more: every unfinished window is planned again.
 */
const LOCAL_STALE_AFTER_MS = 0;

export interface LocalRunSettings {
  readonly iterable: IterableSource;
  readonly warehouseFile: string;
  /** Dataset (schema) names in the warehouse; `iterable_raw` / `iterable_analytics` by default. */
  readonly datasets?: Datasets;
  readonly streams: readonly StreamName[];
  readonly from: number;
  readonly to: number | null;
  readonly windowMinutes: number | null;
  readonly lagMs: number;
  readonly lookbackMs: number;
  readonly historyMs: number;
  /** The daily settle pass (SETTLE_HOURS); off when absent, as for a backfill or a test run. */
  readonly settleMs?: number;
  readonly exportsPerMinute: number;
  /** `ITERABLE_EXPORT_MODE` when forced; `null` or unset: jobs for bulk history (`export-mode.ts`). */
  readonly exportMode?: ExportMode | null;
  readonly log: Logger;
  readonly now?: () => number;
  /** Load `[from, to)` behind the watermarks as a backfill (`npm run backfill`), not the regular plan. */
  readonly backfill?: boolean;
  /** With `backfill`: read windows the ledger has as loaded again too. */
  readonly reread?: boolean;
  /** Called once the fan-out has answered, while the windows load. */
  /** Once planned: the plan, and how many of its windows go to export jobs. */
  readonly onStarted?: (context: { plan: FanoutResult; startedAt: number; jobs: number }) => void;
  readonly queue?: Partial<LocalTaskQueueOptions>;
  /** Over `queue` for windows read by export jobs; Iterable's jobs limits by default (`JOBS_QUEUE_PACE`). */
  readonly jobsQueue?: Partial<LocalTaskQueueOptions>;
  /** Wraps the warehouse the worker writes to (the benchmark times its calls). */
  readonly wrapWarehouse?: (warehouse: Warehouse) => Warehouse;
}

export interface LocalRunResult {
  readonly startedAt: number;
  readonly plan: FanoutResult;
  readonly queue: QueueSummary;
}

export const stateFileOf = (warehouseFile: string): string => `${warehouseFile}.state.json`;

/** Every stream's watermark in the ledger beside the warehouse. */
export async function readWatermarks(warehouseFile: string): Promise<Map<StreamName, number | null>> {
  const state = await JsonFileStateStore.open(stateFileOf(warehouseFile));
  try {
    const watermarks = new Map<StreamName, number | null>();
    for (const s of STREAMS) watermarks.set(s.name, (await state.read(s.name)).watermark);
    return watermarks;
  } finally {
    await state.close();
  }
}

export async function runLocal(settings: LocalRunSettings): Promise<LocalRunResult> {
  const now = settings.now ?? Date.now;
  const startedAt = now();
  // Jobs only where the source can start them; a plain streaming client streams every window.
  const exportMode = settings.iterable.jobLines ? (settings.exportMode ?? null) : 'stream';
  const warehouse = await DuckDbWarehouse.open(settings.warehouseFile, settings.datasets);
  const state = await JsonFileStateStore.open(stateFileOf(settings.warehouseFile));
  const servers: Server[] = [];
  let queue: RoutedTaskQueue | null = null;
  try {
    registerWorker(
      {
        iterable: settings.iterable,
        warehouse: settings.wrapWarehouse?.(warehouse) ?? warehouse,
        state,
        now,
        log: settings.log,
      },
      { leaseMs: LOCAL_LEASE_MS, exportMode },
    );
    const workerUrl = await serve(FUNCTION_NAMES.worker, servers);
    queue = new RoutedTaskQueue(
      workerUrl,
      { maxDispatchesPerMinute: settings.exportsPerMinute, ...settings.queue },
      settings.jobsQueue ?? {},
      exportMode,
      now,
    );
    registerFanout(
      { state, queue, now, log: settings.log },
      {
        streams: settings.streams,
        windowMinutes: settings.windowMinutes,
        lagMs: settings.lagMs,
        lookbackMs: settings.lookbackMs,
        historyMs: settings.historyMs,
        settleMs: settings.settleMs ?? 0,
        staleAfterMs: LOCAL_STALE_AFTER_MS,
        // A local run ends when its queue drains: a failed window is retried by the next run, at once.
        failedRetryDelayMs: 0,
      },
    );
    const fanoutUrl = await serve(FUNCTION_NAMES.fanout, servers);
    const plan = await requestFanout(fanoutUrl, settings);
    settings.onStarted?.({ plan, startedAt, jobs: queue.jobTasks });
    const summary = await queue.drain();
    return { startedAt, plan, queue: summary };
  } finally {
    queue?.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await warehouse.close();
    await state.close();
  }
}

/** Serves a registered function on loopback only: nothing outside this machine can call it. */
async function serve(name: string, servers: Server[]): Promise<string> {
  const server = getTestServer(name);
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/`;
}

/** POSTs the fan-out request, as Cloud Scheduler does on GCP (with a range here). */
async function requestFanout(url: string, settings: LocalRunSettings): Promise<FanoutResult> {
  const body = {
    from: new Date(settings.from).toISOString(),
    ...(settings.to === null ? {} : { to: new Date(settings.to).toISOString() }),
    streams: settings.streams,
    ...(settings.backfill ? { backfill: true } : {}),
    ...(settings.reread ? { reread: true } : {}),
  };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`fan-out failed (${response.status}): ${text}`);
  return JSON.parse(text) as FanoutResult;
}
