/**
 * What `npm start` and `npm run backfill` check of the warehouse before planning anything: that
 * it opens (a directory, a damaged file or one in use by another run each end with one message),
 * that it holds the project this run reads (local/warehouse-source.ts), and where its loaded
 * history starts, so a `--from` before it is answered with the backfill that loads it.
 */
import { rawTableName, STREAMS } from '../functions/src/catalog.js';
import { DuckDbWarehouse } from '../local/duckdb-warehouse.js';
import { claimWarehouse, type WarehouseSource } from '../local/warehouse-source.js';
import type { Datasets } from '../sql/datasets.js';
import { type CountRow, countsSql, toCounts } from './status-counts.js';

export const DEMO_ORIGIN = 'the demo simulator';

/** Default warehouses: the demo never fills the file a real project loads into. */
export const DEMO_WAREHOUSE = '.local/demo.duckdb';
export const PROJECT_WAREHOUSE = '.local/warehouse.duckdb';

/** The warehouse a command uses without `--warehouse`: the demo's unless ITERABLE_API_KEY is set. */
export const defaultWarehouse = (env: NodeJS.ProcessEnv = process.env): string =>
  env.ITERABLE_API_KEY ? PROJECT_WAREHOUSE : DEMO_WAREHOUSE;

export interface WarehouseCheck {
  /** The earliest window any event stream's rows came from; `null` while it holds no events. */
  readonly loadedFrom: number | null;
  /** Rows per stream's raw table now, so a run can tell the rows it adds from those it re-reads. */
  readonly rows: ReadonlyMap<string, number>;
}

/** Opens the warehouse and claims it for `source`; then what it holds. */
export async function checkWarehouse(
  file: string,
  datasets: Datasets,
  source: WarehouseSource,
): Promise<WarehouseCheck> {
  const warehouse = await DuckDbWarehouse.open(file, datasets);
  try {
    await claimWarehouse(warehouse, file, source);
    const starts = STREAMS.filter((s) => s.source.kind === 'export')
      .map((s) => `SELECT MIN(_window_start) AS start FROM ${datasets.raw}.${rawTableName(s.name)}`)
      .join(' UNION ALL ');
    const [row] = await warehouse.query<{ start: number | null }>(
      `SELECT epoch_ms(MIN(start)) AS start FROM (${starts})`,
    );
    return { loadedFrom: row?.start ?? null, rows: await rowsOf(warehouse, datasets) };
  } finally {
    await warehouse.close();
  }
}

/** Rows per stream's raw table. */
export async function rowCounts(file: string, datasets: Datasets): Promise<ReadonlyMap<string, number>> {
  const warehouse = await DuckDbWarehouse.open(file, datasets);
  try {
    return await rowsOf(warehouse, datasets);
  } finally {
    await warehouse.close();
  }
}

async function rowsOf(warehouse: DuckDbWarehouse, datasets: Datasets): Promise<Map<string, number>> {
  const counts = toCounts(await warehouse.query<CountRow>(countsSql(datasets.raw)));
  return new Map([...counts].map(([stream, c]) => [stream, c.rows]));
}

/** Why a `--from` before the loaded history does nothing in a regular run, and what does. */
export function fromBeforeHistoryNote(from: number, loadedFrom: number, warehouseFlag: string): string {
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  return (
    `Note: --from ${iso(from)} is before this warehouse's history, which starts at ${iso(loadedFrom)}; ` +
    'a run continues each stream from its watermark, so it does not load that earlier part. Load it with:\n' +
    `  npm run backfill -- --from ${iso(from)} --to ${iso(loadedFrom)}${warehouseFlag}\n`
  );
}
