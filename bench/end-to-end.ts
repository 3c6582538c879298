/**
 * Measurement 2: simulator → `fanout` → queue → `worker` → DuckDB, end to end. The functions are
 * wired as `runLocal` wires them (Functions Framework on loopback, the local task queue over
 * HTTP, DuckDB and the JSON ledger), with the source and warehouse wrapped in timing spans
 * (`spans.ts`); the simulator runs in its own process, as Iterable runs on its own servers.
 * The clock runs from the fan-out request to the queue's drain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { STREAM_NAMES } from '../functions/src/catalog.js';
import { IterableClient } from '../functions/src/iterable/client.js';
import { FUNCTION_NAMES, registerFanout, registerWorker } from '../functions/src/register.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../local/json-state-store.js';
import { LocalTaskQueue } from '../local/task-queue.js';
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

/** Serves a registered function on loopback, as `runLocal` does. */
async function serve(name: string, servers: Server[]): Promise<string> {
  const server = getTestServer(name);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

export async function measureEndToEnd(sizes: EndToEndSizes): Promise<Figure[]> {
  const from = Date.UTC(2026, 9, 1);
  const to = from + sizes.days * DAY;
  const args: SimulatorArgs = { seed: 3, from, to, events: sizes.events, apiKey: API_KEY };
  const simulator = await startServer<SimulatorHello>('simulator-process.ts', args);
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const warehouse = await DuckDbWarehouse.open(join(dir, 'warehouse.duckdb'));
  const state = await JsonFileStateStore.open(join(dir, 'state.json'));
  const spans = emptySpans();
  const servers: Server[] = [];
  let queue: LocalTaskQueue | null = null;
  try {
    const iterable = new IterableClient({ baseUrl: simulator.hello.url, apiKey: API_KEY });
    const deps = { state, now: Date.now, log: () => {} };
    registerWorker(
      { ...deps, iterable: timedSource(iterable, spans), warehouse: timedWarehouse(warehouse, spans) },
      { leaseMs: 10 * 60_000 },
    );
    queue = new LocalTaskQueue(await serve(FUNCTION_NAMES.worker, servers), {
      maxDispatchesPerMinute: 1_000_000,
      maxConcurrentDispatches: sizes.concurrency,
      maxAttempts: 1,
    });
    registerFanout(
      { ...deps, queue },
      {
        streams: STREAM_NAMES,
        windowMinutes: null,
        lagMs: 0,
        lookbackMs: 0,
        historyMs: sizes.days * DAY,
        staleAfterMs: 0,
        failedRetryDelayMs: 0,
      },
    );
    const fanoutUrl = await serve(FUNCTION_NAMES.fanout, servers);
    const started = performance.now();
    const response = await fetch(fanoutUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
    });
    if (!response.ok) throw new Error(`fan-out failed (${response.status}): ${await response.text()}`);
    const summary = await queue.drain();
    const seconds = (performance.now() - started) / 1000;
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
    queue?.close();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await warehouse.close();
    await state.close();
    await simulator.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
