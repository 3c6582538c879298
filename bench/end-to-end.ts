/**
 * Measurement 2: simulator → `fanout` → queue → `worker` → DuckDB, end to end: `runLocal` itself
 * (Functions Framework on loopback, the local task queue over HTTP, DuckDB and the JSON ledger),
 * with the source and warehouse wrapped in timing spans (`spans.ts`); the simulator runs in its own
 * process, as Iterable runs on its own servers. The clock covers the whole run, from opening the
 * warehouse to the queue's drain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STREAM_NAMES } from '../functions/src/catalog.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import { runLocal } from '../local/run.js';
import { startServer } from './child.js';
import { atLeast, type Figure, figure } from './figure.js';
import type { SimulatorArgs, SimulatorHello } from './simulator-process.js';
import { emptySpans, stages, timedSource, timedWarehouse } from './spans.js';

export interface EndToEndSizes {
  readonly events: number;
  readonly days: number;
  /** Windows loading at once (the queue's `maxConcurrentDispatches`). */
  readonly concurrency: number;
}

const MIN_EVENTS_PER_SECOND = 100_000;
const DAY = 24 * 3600_000;
const API_KEY = 'bench-key';

export async function measureEndToEnd(sizes: EndToEndSizes): Promise<Figure[]> {
  const from = Date.UTC(2026, 9, 1);
  const to = from + sizes.days * DAY;
  const args: SimulatorArgs = { seed: 3, from, to, events: sizes.events, apiKey: API_KEY };
  const simulator = await startServer<SimulatorHello>('simulator-process.ts', args);
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const spans = emptySpans();
  try {
    const iterable = new IterableClient({ baseUrl: simulator.hello.url, apiKey: API_KEY });
    const started = performance.now();
    const result = await runLocal({
      iterable: timedSource(iterable, spans),
      wrapWarehouse: (warehouse) => timedWarehouse(warehouse, spans),
      warehouseFile: join(dir, 'warehouse.duckdb'),
      streams: STREAM_NAMES,
      from,
      to,
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
    const events = simulator.hello.events;
    if (spans.rows < events) throw new Error(`loaded ${spans.rows} rows of ${events} events`);
    const { read, transform, write } = stages(spans);
    const busy = read + transform + write;
    const label = `end to end, ${events.toLocaleString('en-US')} events, ${summary.succeeded} windows`;
    return [
      figure(`${label}: wall time`, seconds, 's'),
      figure(`${label}: throughput`, events / seconds, 'events/s', atLeast(MIN_EVENTS_PER_SECOND)),
      figure('  share of worker time: Iterable read', (100 * read) / busy, '%'),
      figure('  share of worker time: transform', (100 * transform) / busy, '%'),
      figure('  share of worker time: warehouse write', (100 * write) / busy, '%'),
    ];
  } finally {
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
