/**
 * The worker loading one window, alone in its process so its peak RSS is its own: `loadWindow`
 * over the Iterable client (reading the NDJSON server) into either warehouse: DuckDB, as
 * `npm start` runs it, or the deployed BigQuery adapter with the real BigQuery and Cloud Storage
 * clients, talking to the sink (`bigquery-sink.ts`) in place of both. Says
 * `{rows, seconds, maxRssBytes}` when done.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IterableClient } from '../functions/src/iterable/client.js';
import { loadWindow } from '../functions/src/pipeline/load-window.js';
import type { Warehouse } from '../functions/src/ports.js';
import { JsonFileStateStore } from '../local/json-state-store.js';
import { FIXTURE_WINDOW } from './fixture.js';

export type MemoryWarehouse =
  | { readonly kind: 'duckdb' }
  | { readonly kind: 'bigquery'; readonly url: string };

export interface MemoryWorkerArgs {
  readonly url: string;
  readonly warehouse: MemoryWarehouse;
}

export interface MemoryWorkerResult {
  readonly rows: number;
  readonly seconds: number;
  /** The process's resident-set high-water mark, in bytes (`VmHWM`, see `peakRssBytes`). */
  readonly maxRssBytes: number;
}

/** Imported on demand, so neither warehouse's libraries weigh on the other's figure. */
async function openWarehouse(target: MemoryWarehouse, dir: string): Promise<Warehouse> {
  if (target.kind === 'duckdb') {
    const { DuckDbWarehouse } = await import('../local/duckdb-warehouse.js');
    return DuckDbWarehouse.open(join(dir, 'warehouse.duckdb'));
  }
  const [{ BigQuery }, { PassThroughClient }, { BigQueryWarehouse }, { localStorage }] = await Promise.all([
    import('@google-cloud/bigquery'),
    import('google-auth-library'),
    import('../functions/src/gcp/bigquery-warehouse.js'),
    import('../test/functions/gcp/local-storage.js'),
  ]);
  // As `open-bigquery.ts` builds it, but both clients pointed at the sink; pass-through auth
  // clients need no credentials.
  const bigquery = new BigQuery({
    projectId: 'bench',
    apiEndpoint: target.url,
    authClient: new PassThroughClient(),
  });
  return new BigQueryWarehouse(bigquery, localStorage(target.url).bucket('bench-load-staging'), {
    rawDataset: 'iterable_raw',
    location: 'US',
  });
}

const { url, warehouse: target } = JSON.parse(process.argv[2] ?? '{}') as MemoryWorkerArgs;
const dir = mkdtempSync(join(tmpdir(), 'bench-memory-'));
const warehouse = await openWarehouse(target, dir);
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
    maxRssBytes: peakRssBytes(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await warehouse.close();
  await state.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `VmHWM` of /proc/self/status: the high-water mark of this process's own memory. Not
 * `process.resourceUsage().maxRSS`: Linux carries that across fork and exec, so a child started by
 * a large parent reports at least the parent's size (https://man7.org/linux/man-pages/man2/getrusage.2.html).
 */
function peakRssBytes(): number {
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  if (kib === undefined) throw new Error('no VmHWM in /proc/self/status: the memory bench needs Linux');
  return Number(kib) * 1024;
}
