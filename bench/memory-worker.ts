/**
 * The worker loading one window, alone in its process so its peak RSS is its own: `loadWindow`
 * over the Iterable client (reading the NDJSON server) and the DuckDB warehouse, as `npm start`
 * runs it. Says `{rows, seconds, maxRssBytes}` when done.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IterableClient } from '../functions/src/iterable/client.js';
import { loadWindow } from '../functions/src/pipeline/load-window.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { JsonFileStateStore } from '../local/json-state-store.js';
import { FIXTURE_WINDOW } from './fixture.js';

export interface MemoryWorkerArgs {
  readonly url: string;
}

export interface MemoryWorkerResult {
  readonly rows: number;
  readonly seconds: number;
  /** `process.resourceUsage().maxRSS`, in bytes: the process's high-water mark. */
  readonly maxRssBytes: number;
}

const { url } = JSON.parse(process.argv[2] ?? '{}') as MemoryWorkerArgs;
const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
const warehouse = await DuckDbWarehouse.open(join(dir, 'warehouse.duckdb'));
const state = await JsonFileStateStore.open(join(dir, 'state.json'));
try {
  const started = performance.now();
  const outcome = await loadWindow(
    {
      iterable: new IterableClient({ baseUrl: url, apiKey: 'bench-key' }),
      warehouse,
      state,
      now: Date.now,
      log: () => {},
    },
    { leaseMs: 60 * 60_000, runId: 'bench' },
    {
      stream: 'email_open',
      start: FIXTURE_WINDOW.start,
      end: FIXTURE_WINDOW.end,
      kind: 'advance',
    },
  );
  if (outcome.outcome !== 'loaded') throw new Error(`the window was not loaded: ${outcome.outcome}`);
  const result: MemoryWorkerResult = {
    rows: outcome.counts.rows,
    seconds: (performance.now() - started) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await warehouse.close();
  await state.close();
  rmSync(dir, { recursive: true, force: true });
}
