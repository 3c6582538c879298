/**
 * Measurement 2: simulator → `fanout` → queue → `worker` → DuckDB, end to end: `runLocal` itself
 * (Functions Framework on loopback, the local task queue over HTTP, DuckDB and the JSON ledger),
 * with the source and warehouse wrapped in timing spans (`spans.ts`); the simulator runs in its own
 * process, as Iterable runs on its own servers. The clock covers the whole run, from opening the
 * warehouse to closing it once the queue has drained (DuckDB checkpoints the file then).
 *
 * A second run on the same simulator swaps the warehouse for one that drains the batches and
 * writes nothing: the pipeline's own ceiling on this machine, beside which the first run's figure
 * shows what the local warehouse costs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STREAM_NAMES } from '../functions/src/catalog.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import type { Warehouse } from '../functions/src/ports.js';
import { DAY } from '../functions/src/time.js';
import { runLocal } from '../local/run.js';
import { startServer } from './child.js';
import { atLeast, type Figure, figure } from './figure.js';
import type { SimulatorArgs, SimulatorHello } from './simulator-process.js';
import { emptySpans, type Spans, stages, timedSource, timedWarehouse } from './spans.js';

export interface EndToEndSizes {
  readonly events: number;
  readonly days: number;
  /** Windows loading at once (the queue's `maxConcurrentDispatches`). */
  readonly concurrency: number;
}

const MIN_EVENTS_PER_SECOND = 100_000;
const API_KEY = 'bench-key';

/** Reads every batch a load is given and writes nothing: the run's ceiling without a warehouse. */
const drainingWarehouse = (warehouse: Warehouse): Warehouse => ({
  async replaceWindow(_load, batches) {
    const counts = { rows: 0, rejects: 0 };
    for await (const batch of batches) {
      counts.rows += batch.rows.length;
      counts.rejects += batch.rejects.length;
    }
    return counts;
  },
  close: () => warehouse.close(),
});

interface PipelineRun {
  readonly seconds: number;
  readonly windows: number;
  readonly spans: Spans;
}

async function runPipeline(
  sizes: EndToEndSizes,
  simulator: SimulatorHello,
  range: { from: number; to: number },
  warehouseFile: string,
  write: boolean,
): Promise<PipelineRun> {
  const spans = emptySpans();
  const iterable = new IterableClient({ baseUrl: simulator.url, apiKey: API_KEY });
  const started = performance.now();
  const result = await runLocal({
    iterable: timedSource(iterable, spans),
    wrapWarehouse: (warehouse) => timedWarehouse(write ? warehouse : drainingWarehouse(warehouse), spans),
    warehouseFile,
    streams: STREAM_NAMES,
    ...range,
    windowMinutes: null,
    lagMs: 0,
    lookbackMs: 0,
    historyMs: sizes.days * DAY,
    exportsPerMinute: 1_000_000,
    log: () => {},
    queue: { maxConcurrentDispatches: sizes.concurrency, maxAttempts: 1 },
  });
  const seconds = (performance.now() - started) / 1000;
  const summary = result.queue;
  if (summary.failed > 0)
    throw new Error(`${summary.failed} windows failed: ${summary.failedTasks[0]?.body}`);
  if (spans.rows < simulator.events)
    throw new Error(`loaded ${spans.rows} rows of ${simulator.events} events`);
  return { seconds, windows: summary.succeeded, spans };
}

export async function measureEndToEnd(sizes: EndToEndSizes): Promise<Figure[]> {
  const from = Date.UTC(2026, 9, 1);
  const to = from + sizes.days * DAY;
  const args: SimulatorArgs = { seed: 3, from, to, events: sizes.events, apiKey: API_KEY };
  const simulator = await startServer<SimulatorHello>('simulator-process.ts', args);
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  try {
    const run = (name: string, write: boolean) =>
      runPipeline(sizes, simulator.hello, { from, to }, join(dir, name), write);
    const full = await run('warehouse.duckdb', true);
    const ceiling = await run('unwritten.duckdb', false);
    const events = simulator.hello.events;
    const { read, transform, write } = stages(full.spans);
    const busy = read + transform + write;
    const label = `end to end, ${events.toLocaleString('en-US')} events, ${full.windows} windows`;
    return [
      figure(`${label}: wall time`, full.seconds, 's'),
      figure(`${label}: throughput`, events / full.seconds, 'events/s', atLeast(MIN_EVENTS_PER_SECOND)),
      figure('  share of worker time: Iterable read', (100 * read) / busy, '%'),
      figure('  share of worker time: transform', (100 * transform) / busy, '%'),
      figure('  share of worker time: warehouse write', (100 * write) / busy, '%'),
      figure('  the same run writing nothing (the ceiling here)', events / ceiling.seconds, 'events/s'),
    ];
  } finally {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
