/**
 * Measurement 5: the fact build on DuckDB (`runModels`, every file of sql/ in order, as a first
 * build over all history), for a warehouse of each size. The raw tables are filled without the
 * HTTP path, which measurement 2 covers: a base of simulator events goes through the worker's
 * normaliser into the warehouse, then DuckDB copies it forward in time (each copy shifted by the
 * base's length, message ids made unique) until the warehouse holds the events asked for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { rawTableName, STREAMS, windowColumnOf } from '../functions/src/catalog.js';
import { normaliser, toLoadBatches } from '../functions/src/pipeline/normalise.js';
import { DAY } from '../functions/src/time.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { runModels } from '../local/sql/models.js';
import { generateDataset } from '../simulator/generate.js';
import { atMost, type Figure, figure } from './figure.js';

export interface FactSizes {
  /** Events the simulator generates once; every warehouse is a whole number of copies of them. */
  readonly baseEvents: number;
  readonly warehouses: readonly number[];
}

/** The ceiling for every model together, on the largest warehouse (5M events). */
const MAX_BUILD_MS = 15_000;
export const BASE_DAYS = 7;
export const FROM = Date.UTC(2026, 0, 1);

async function* once<T>(item: T): AsyncIterable<T> {
  yield item;
}

/** Fills the raw tables with `copies` shifted copies of a simulator base; the events written. */
export async function fillWarehouse(
  warehouse: DuckDbWarehouse,
  baseEvents: number,
  copies: number,
): Promise<number> {
  const range = { start: FROM, end: FROM + BASE_DAYS * DAY };
  const store = generateDataset({ seed: 5, from: range.start, to: range.end, events: baseEvents });
  let events = 0;
  for (const stream of STREAMS) {
    const exported = stream.source.kind === 'export';
    const lines = exported
      ? store.lines(stream.name, range)
      : store.dimension(stream.name).map((r) => JSON.stringify(r));
    const window = exported ? range : null;
    const batches = toLoadBatches(once(lines), normaliser(stream, window));
    const load = { stream: stream.name, window: range, runId: 'bench', loadedAt: range.end };
    await warehouse.replaceWindow(load, batches);
    // Events are copied over later periods; dimensions and user profiles (one per user) are not.
    if (windowColumnOf(stream) !== 'created_at') continue;
    const table = `${warehouse.datasets.raw}.${rawTableName(stream.name)}`;
    // One statement per stream: copies 1…n-1 of the base, each shifted by k base lengths.
    await warehouse.query(
      `INSERT INTO ${table} SELECT base.* REPLACE (
         created_at + to_days(CAST(k * ${BASE_DAYS} AS INTEGER)) AS created_at,
         CASE WHEN message_id IS NULL THEN NULL ELSE message_id || '-' || k END AS message_id
       ) FROM ${table} AS base, range(1, ${copies}) AS copies(k)`,
    );
    events += lines.length * copies;
  }
  return events;
}

export async function measureFacts(sizes: FactSizes): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const wanted of sizes.warehouses) {
    const copies = Math.max(1, Math.round(wanted / sizes.baseEvents));
    const dir = mkdtempSync(join(tmpdir(), 'bench-facts-'));
    const warehouse = await DuckDbWarehouse.open(join(dir, 'warehouse.duckdb'));
    try {
      const events = await fillWarehouse(warehouse, sizes.baseEvents, copies);
      const runs = await runModels(warehouse, { now: FROM + copies * BASE_DAYS * DAY });
      const total = runs.reduce((sum, r) => sum + r.ms, 0);
      const label = `facts on ${events.toLocaleString('en-US')} raw events`;
      const target = wanted === Math.max(...sizes.warehouses) ? atMost(MAX_BUILD_MS) : null;
      figures.push(figure(`${label}: all models`, total, 'ms', target));
      for (const run of runs) figures.push(figure(`  ${basename(run.file)}`, run.ms, 'ms'));
    } finally {
      await warehouse.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
}
