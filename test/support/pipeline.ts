/**
 * Shared set-up for tests that run the local pipeline against the simulator: a temporary
 * warehouse, a fast-retrying client and queue, and the comparison with the simulator's truth.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawTableName, STREAMS, type StreamName } from '../../functions/src/catalog.js';
import { IterableClient } from '../../functions/src/iterable/client.js';
import type { Logger } from '../../functions/src/log.js';
import type { Window } from '../../functions/src/pipeline/window.js';
import type { QueuedTask, TaskQueue, WindowTask } from '../../functions/src/ports.js';
import { DAY } from '../../functions/src/time.js';
import { DuckDbWarehouse } from '../../local/duckdb-warehouse.js';
import { type LocalRunSettings, runLocal } from '../../local/run.js';
import { startSimulator } from '../../simulator/server.js';

export type Simulator = Awaited<ReturnType<typeof startSimulator>>;

/** A fixed range so every run of the suite sees the same data. */
export const FROM = Date.UTC(2026, 9, 1);

export const silent: Logger = () => {};

/** A task queue that keeps every task it is given, in order, for a test to read. */
export class RecordingQueue<P = WindowTask> implements TaskQueue<P> {
  readonly tasks: QueuedTask<P>[] = [];
  async enqueue(tasks: readonly QueuedTask<P>[]) {
    this.tasks.push(...tasks);
    return { created: tasks.length, existing: 0 };
  }
}

export function tempWarehouse(): string {
  return join(mkdtempSync(join(tmpdir(), 'pipeline-test-')), 'warehouse.duckdb');
}

export async function simulator(options: {
  days: number;
  events: number;
  seed?: number;
  userIdBased?: boolean;
}): Promise<Simulator> {
  return startSimulator({
    ...(options.userIdBased ? { userIdBased: true } : {}),
    seed: options.seed ?? 7,
    from: FROM,
    to: FROM + options.days * DAY,
    events: options.events,
    apiKey: 'test-key',
    exportsPerMinute: 1_000_000,
  });
}

/** A client that retries at once: tests need the retries, not the waiting. */
export function fastClient(sim: Simulator, apiKey = 'test-key'): IterableClient {
  return new IterableClient({
    baseUrl: sim.url,
    apiKey,
    retry: { retries: 5, minDelayMs: 1, maxDelayMs: 5 },
  });
}

export function run(
  sim: Simulator,
  warehouseFile: string,
  range: { from: number; to: number },
  extra: Partial<LocalRunSettings> = {},
) {
  return runLocal({
    iterable: fastClient(sim),
    warehouseFile,
    streams: STREAMS.map((s) => s.name),
    from: range.from,
    to: range.to,
    windowMinutes: null,
    lagMs: 0,
    lookbackMs: 60 * 60_000,
    historyMs: 30 * DAY,
    exportsPerMinute: 1_000_000,
    log: silent,
    queue: { maxAttempts: 30, minBackoffMs: 5, maxBackoffMs: 50, maxConcurrentDispatches: 4 },
    ...extra,
  });
}

/** Sorted payloads of a stream's raw table within a window (or all of it). */
export async function loadedPayloads(
  warehouse: DuckDbWarehouse,
  stream: StreamName,
  window?: Window,
): Promise<string[]> {
  const where = window
    ? `where created_at >= epoch_ms(${window.start}) and created_at < epoch_ms(${window.end})`
    : '';
  const rows = await warehouse.query<{ payload: string }>(
    `select payload::varchar as payload from iterable_raw.${rawTableName(stream)} ${where}`,
  );
  return rows.map((r) => r.payload).sort();
}

/**
 * The raw tables hold exactly what the simulator holds for the range, stream by stream: every
 * record once (compared as the original JSON line), nothing else.
 */
export async function assertMatchesTruth(
  sim: Simulator,
  warehouseFile: string,
  range: Window,
): Promise<void> {
  const warehouse = await DuckDbWarehouse.open(warehouseFile);
  try {
    for (const stream of STREAMS) {
      const loaded = await loadedPayloads(warehouse, stream.name);
      const expected =
        stream.source.kind === 'export'
          ? sim.truth.lines(stream.name, range)
          : sim.truth.dimension(stream.name).map((r: unknown) => JSON.stringify(r));
      assert.equal(loaded.length, expected.length, `${stream.name}: row count`);
      assert.deepEqual(loaded, [...expected].sort(), `${stream.name}: rows differ from the simulator's`);
    }
  } finally {
    await warehouse.close();
  }
}
