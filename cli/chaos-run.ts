/**
 * The chaos run: the whole local pipeline against a simulator that injects every fault it knows,
 * seeded, then the raw tables compared with the simulator's ground truth. The promise it checks:
 * every record Iterable holds for the loaded range is in the raw tables exactly once, and every
 * line that could not be loaded is in the rejects table with its reason.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawTableName, STREAMS } from '../functions/src/catalog.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import type { ExportMode } from '../functions/src/iterable/export-modes.js';
import { SharedJobLimiter } from '../functions/src/iterable/job-limiter.js';
import { workerSource } from '../functions/src/iterable/job-source.js';
import { NO_PACING } from '../functions/src/iterable/pacer.js';
import type { LogEntry } from '../functions/src/log.js';
import { DAY, HOUR, MINUTE } from '../functions/src/time.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { type LocalRunResult, runLocal } from '../local/run.js';
import type { QueueEvent } from '../local/task-queue-options.js';
import { FAULT_KINDS, type FaultKind, type FaultRates } from '../simulator/faults.js';
import { INJECTED_DOMAIN } from '../simulator/routes.js';
import { startSimulator } from '../simulator/server.js';

/** A fixed range, so a seed always means the same data. */
const FROM = Date.UTC(2026, 9, 1);

/** Per-request chance of each fault: every kind shows up many times over a few hundred requests. */
const CHAOS_RATES: FaultRates = {
  rateLimitBurst: 0.05,
  serverError: 0.04,
  windowOutage: 0.01,
  revokedKey: 0.01,
  cutOff: 0.1,
  stall: 0.01,
  malformed: 0.03,
  invalidRecord: 0.03,
  // Export jobs' own faults; they hit only the jobs endpoints, so a streaming run never sees them.
  exportTruncated: 0.05,
  jobRestart: 0.1,
  jobFailed: 0.05,
  expiredLink: 0.1,
};

/**
 * The jobs run's simulator: small files a few to a page, so every window's job has several to
 * list and download, and jobs that run for a moment, so polls see them enqueued and running.
 */
const CHAOS_JOBS = { maxFileBytes: 16 * 1024, filesPageSize: 4, runMs: 20 } as const;

export interface ChaosOptions {
  readonly seed: number;
  readonly days: number;
  readonly events: number;
  readonly apiKey: string;
  /** How windows are read: streaming exports (the default) or export jobs, forced. */
  readonly mode?: ExportMode;
  /** Where the warehouse goes; a temporary folder by default. */
  readonly warehouseFile?: string;
  /** Receives every structured log line of every run. */
  readonly onLog?: (entry: LogEntry) => void;
  /** Receives every event of the task queue (payloads and answers included). */
  readonly onQueueEvent?: (event: QueueEvent) => void;
}

export interface StreamCheck {
  readonly stream: string;
  readonly expected: number;
  readonly loaded: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Rows that are not records of the simulator at all. */
  readonly unexpected: number;
}

export interface ChaosReport {
  readonly seed: number;
  readonly mode: ExportMode;
  /** Export jobs started (the jobs run), streaming exports answered with data. */
  readonly jobs: number;
  readonly exports: number;
  readonly warehouseFile: string;
  readonly passes: number;
  readonly faults: Record<FaultKind, number>;
  readonly lateRecords: number;
  /** Rows the daily settle pass added: late records no lookback had seen. */
  readonly landedBySettle: number;
  readonly clientRetries: number;
  readonly queueRetries: number;
  readonly windowsSplit: number;
  readonly windowsFailed: number;
  readonly windowsRecovered: number;
  readonly streams: readonly StreamCheck[];
  readonly rejects: readonly { readonly reason: string; readonly count: number }[];
  /** Rejected lines that were real records: must be 0. */
  readonly wronglyRejected: number;
}

/** Runs to a clean ledger: failed windows are retried by the next pass, as by the next fan-out. */
const MAX_PASSES = 6;
/** From this pass on the faults stop, the way an outage ends, so the run always finishes. */
const CALM_FROM_PASS = 4;
/**
 * Records Iterable exports late: up to 6 hours after their `createdAt`, far beyond the runs'
 * 60-minute lookback (another connector saw an `emailSend` still missing after two hours,
 * https://github.com/airbytehq/airbyte/issues/74378). Only the daily settle pass reaches them.
 */
const LATE = { share: 0.02, maxDelayMs: 6 * HOUR };
/** SETTLE_HOURS' default. */
const SETTLE_MS = 24 * HOUR;

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const to = FROM + options.days * DAY;
  let clock = to;
  const sim = await startSimulator({
    seed: options.seed,
    from: FROM,
    to,
    events: options.events,
    apiKey: options.apiKey,
    exportsPerMinute: 1_000_000,
    stallMs: 1500,
    clock: () => clock,
    late: LATE,
    jobRequestsPerSecond: 1_000_000,
    exportJobs: CHAOS_JOBS,
  });
  const mode = options.mode ?? 'stream';
  const warehouseFile =
    options.warehouseFile ?? join(mkdtempSync(join(tmpdir(), 'chaos-')), 'warehouse.duckdb');
  let clientRetries = 0;
  let windowsSplit = 0;
  const failedWindows = new Set<string>();
  const recovered = new Set<string>();
  const windowKey = (e: QueueEvent) =>
    `${e.payload.stream} ${e.payload.kind} ${e.payload.start} ${e.payload.end}`;
  const client = new IterableClient({
    baseUrl: sim.url,
    apiKey: options.apiKey,
    // Few retries in the client and the queue, so some windows exhaust them and a later pass recovers them.
    retry: { retries: 1, minDelayMs: 1, maxDelayMs: 20 },
    idleTimeoutMs: 500,
    onRetry: () => clientRetries++,
  });
  const iterable = workerSource(client, mode, (entry) => options.onLog?.(entry), {
    limiter: new SharedJobLimiter({ starts: NO_PACING, listings: NO_PACING }),
    jobs: { pollMs: 5, maxPollMs: 50 },
  });
  try {
    // Every kind at least once, whatever the draws: the first requests get one of each.
    for (const kind of FAULT_KINDS) sim.faults.failNext(kind, 1);
    sim.faults.set(CHAOS_RATES);
    let passes = 0;
    let queueRetries = 0;
    let last: LocalRunResult | null = null;
    const pass = (settle: boolean) =>
      runLocal({
        iterable,
        warehouseFile,
        streams: STREAMS.map((s) => s.name),
        from: FROM,
        to,
        // Windows sized by density, as `npm start` plans them: completeness must hold with them.
        windowMinutes: null,
        lagMs: 0,
        lookbackMs: 60 * MINUTE,
        historyMs: options.days * DAY,
        exportsPerMinute: 1_000_000,
        exportMode: mode,
        jobsQueue: { maxDispatchesPerMinute: 1_000_000 },
        log: (entry) => {
          if (typeof entry.pieces === 'number' && entry.pieces > 1 && entry.severity !== 'ERROR')
            windowsSplit++;
          options.onLog?.(entry);
        },
        // The settle pass runs on the simulated clock: the day after the range, once it has settled.
        ...(settle ? { settleMs: SETTLE_MS, now: () => clock } : {}),
        queue: {
          maxAttempts: 3,
          minBackoffMs: 5,
          maxBackoffMs: 50,
          maxRetryAfterMs: 1000,
          maxConcurrentDispatches: 4,
          onEvent: (event) => {
            if (event.type === 'failed') failedWindows.add(windowKey(event));
            if (event.type === 'succeeded' && failedWindows.has(windowKey(event)))
              recovered.add(windowKey(event));
            options.onQueueEvent?.(event);
          },
        },
      });
    while (passes < MAX_PASSES && (last === null || last.queue.failed > 0 || passes < 2)) {
      passes++;
      if (passes >= CALM_FROM_PASS) sim.faults.clear();
      last = await pass(false);
      queueRetries += last.queue.dispatches - last.queue.succeeded - last.queue.failed;
      // Time passes between runs: late records become visible, for the lookback to pick up.
      clock += 60 * MINUTE;
    }
    // The next day, once the range's last day has settled: the daily settle pass re-reads it
    // whole, and with it the records that showed up after every lookback had passed them.
    // A settle window that fails is planned again by the next run of that day, as any window.
    // The outages are over, but bad lines still come: a re-read replaces its interval's rejects,
    // so the settle windows' own bad lines must land in the rejects table too.
    sim.faults.clear();
    sim.faults.failNext('malformed', 1);
    sim.faults.failNext('invalidRecord', 1);
    clock = to + SETTLE_MS + HOUR;
    const beforeSettle = await countRawRows(warehouseFile);
    for (
      let settling = 0;
      settling < MAX_PASSES && (settling === 0 || (last?.queue.failed ?? 0) > 0);
      settling++
    ) {
      passes++;
      last = await pass(true);
      queueRetries += last.queue.dispatches - last.queue.succeeded - last.queue.failed;
      clock += 60 * MINUTE;
    }
    const landedBySettle = (await countRawRows(warehouseFile)) - beforeSettle;
    const checks = await compare(sim, warehouseFile, { start: FROM, end: to });
    return {
      seed: options.seed,
      mode,
      jobs: sim.stats.jobs(),
      exports: sim.stats.exports,
      warehouseFile,
      passes,
      faults: { ...sim.stats.faults },
      lateRecords: sim.stats.delayed,
      landedBySettle,
      clientRetries,
      queueRetries,
      windowsSplit,
      windowsFailed: failedWindows.size,
      windowsRecovered: recovered.size,
      ...checks,
    };
  } finally {
    await sim.close();
  }
}

/** Rows in every export stream's raw table. */
async function countRawRows(warehouseFile: string): Promise<number> {
  const warehouse = await DuckDbWarehouse.open(warehouseFile);
  try {
    let rows = 0;
    for (const stream of STREAMS)
      if (stream.source.kind === 'export') rows += await warehouse.countRows(stream.name);
    return rows;
  } finally {
    await warehouse.close();
  }
}

async function compare(
  sim: Awaited<ReturnType<typeof startSimulator>>,
  warehouseFile: string,
  range: { start: number; end: number },
): Promise<Pick<ChaosReport, 'streams' | 'rejects' | 'wronglyRejected'>> {
  const warehouse = await DuckDbWarehouse.open(warehouseFile);
  try {
    const streams: StreamCheck[] = [];
    for (const stream of STREAMS) {
      const expected =
        stream.source.kind === 'export'
          ? sim.truth.lines(stream.name, range)
          : sim.truth.dimension(stream.name).map((r) => JSON.stringify(r));
      const loaded = await warehouse.query<{ payload: string }>(
        `select payload::varchar as payload from iterable_raw.${rawTableName(stream.name)}`,
      );
      streams.push(
        check(
          stream.name,
          expected,
          loaded.map((r) => r.payload),
        ),
      );
    }
    const rejects = await warehouse.query<{ line: string; reason: string }>(
      'select line, reason from iterable_raw.rejects',
    );
    const byReason = new Map<string, number>();
    for (const r of rejects) {
      const reason = r.reason.split(':')[0] ?? r.reason;
      byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    }
    return {
      streams,
      rejects: [...byReason].map(([reason, count]) => ({ reason, count })),
      wronglyRejected: rejects.filter((r) => !r.line.includes(`@${INJECTED_DOMAIN}`)).length,
    };
  } finally {
    await warehouse.close();
  }
}

/** Multiset comparison: two identical records are two rows, and both must be there. */
function check(stream: string, expected: readonly string[], loaded: readonly string[]): StreamCheck {
  const want = new Map<string, number>();
  for (const line of expected) want.set(line, (want.get(line) ?? 0) + 1);
  let duplicates = 0;
  let unexpected = 0;
  const seen = new Map<string, number>();
  for (const line of loaded) {
    const n = (seen.get(line) ?? 0) + 1;
    seen.set(line, n);
    const wanted = want.get(line) ?? 0;
    if (wanted === 0) unexpected++;
    else if (n > wanted) duplicates++;
  }
  let missing = 0;
  for (const [line, n] of want) missing += Math.max(0, n - (seen.get(line) ?? 0));
  return { stream, expected: expected.length, loaded: loaded.length, missing, duplicates, unexpected };
}

/** Whether the run kept the promise: nothing missing, nothing twice, nothing made up or wrongly rejected. */
export function isClean(report: ChaosReport): boolean {
  return (
    report.wronglyRejected === 0 &&
    report.streams.every((s) => s.missing === 0 && s.duplicates === 0 && s.unexpected === 0)
  );
}
