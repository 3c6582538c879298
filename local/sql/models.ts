/**
 * Runs the SQL models of sql/ on the local warehouse, the way the scheduled queries run them in
 * BigQuery: the DuckDB prelude first, then every numbered file in order, each file one script
 * (here, one transaction, so a failing file leaves its table as it was). Script variables become
 * DuckDB session variables (sql/script-variables.ts).
 *
 * A first build needs nothing special: each fact file reads all history while its table is still
 * empty, and only the lookback afterwards, on DuckDB and in BigQuery's scheduled queries alike.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Datasets } from '../../sql/datasets.js';
import { changedTables, declaredTables } from '../../sql/declared-tables.js';
import {
  DEFAULT_LOOKBACK_DAYS,
  modelFiles,
  type RenderOptions,
  renderSql,
  SQL_DIR,
} from '../../sql/render.js';
import { duckDbScript } from '../../sql/script-variables.js';
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';
import { campaignMetricsDdl } from './campaign-metrics-load.js';
import { runProfiled, type TableScan } from './table-scans.js';

const PRELUDE_FILE = join(SQL_DIR, 'duckdb', 'prelude.sql');

export interface RunModelsOptions {
  /** Days of event dates recomputed before the run's date; 7 when absent. */
  readonly lookbackDays?: number;
  /** Epoch milliseconds the build treats as now (lookback, engagement segments). */
  readonly now?: number;
  /** Custom event names counted as conversions (`CONVERSION_EVENT_NAMES`). */
  readonly conversionEventNames?: readonly string[];
  /** Profile each statement and report the tables it scanned (slower: one statement at a time). */
  readonly profile?: boolean;
  /** The model files to run, in order; every file of sql/ when absent. */
  readonly files?: readonly string[];
}

export interface ModelRun {
  readonly file: string;
  readonly lookbackDays: number;
  readonly ms: number;
  /** Tables of the file dropped to be rebuilt from history: their columns changed (sql/declared-tables.ts). */
  readonly rebuilt: readonly string[];
  /** With `profile`: every table scan of the file, with its pushed-down filters and rows read. */
  readonly scans?: readonly TableScan[];
}

export async function runModels(
  warehouse: DuckDbWarehouse,
  options: RunModelsOptions = {},
): Promise<ModelRun[]> {
  const { datasets } = warehouse;
  const lookbackDays = options.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  const connection = await warehouse.connect();
  try {
    await connection.run(readFileSync(PRELUDE_FILE, 'utf8'));
    // The reconciliation reads Iterable's totals; before they are first loaded the table is empty.
    await connection.run(campaignMetricsDdl(datasets, 'ifNotExists'));
    const runs: ModelRun[] = [];
    for (const file of options.files ?? modelFiles()) {
      const sql = readFileSync(file, 'utf8');
      const render: RenderOptions = {
        datasets,
        lookbackDays,
        conversionEventNames: options.conversionEventNames ?? [],
        ...(options.now === undefined ? {} : { now: options.now }),
      };
      const rendered = renderSql(sql, render);
      const script = duckDbScript(rendered);
      const started = performance.now();
      const { rebuilt, scans } = await inTransaction(connection, file, async () => {
        const dropped = await dropChangedTables(connection, rendered);
        const profiled = options.profile
          ? await runProfiled(connection, script)
          : await connection.run(script).then(() => undefined);
        return { rebuilt: dropped, scans: profiled };
      });
      const ms = Math.round(performance.now() - started);
      runs.push({ file, lookbackDays: render.lookbackDays, ms, rebuilt, ...(scans ? { scans } : {}) });
    }
    return runs;
  } finally {
    connection.closeSync();
  }
}

/**
 * Drops every model table an earlier version built with other columns (see dropChangedTables), for
 * steps that run before the fact build and read those tables by their new columns: the forget step.
 * The next fact build rebuilds them from the raw tables.
 */
export async function dropChangedModelTables(
  connection: DuckDBConnection,
  datasets: Datasets,
): Promise<string[]> {
  const dropped: string[] = [];
  for (const file of modelFiles()) {
    const sql = renderSql(readFileSync(file, 'utf8'), { datasets, lookbackDays: DEFAULT_LOOKBACK_DAYS });
    dropped.push(...(await dropChangedTables(connection, sql)));
  }
  return dropped;
}

/**
 * Drops the file's tables that an earlier version built with other columns, so the file rebuilds
 * them from history (sql/declared-tables.ts); inside the file's transaction, so a failing
 * rebuild leaves the old table.
 */
async function dropChangedTables(connection: DuckDBConnection, sql: string): Promise<string[]> {
  const declared = declaredTables(sql);
  if (declared.length === 0) return [];
  const reader = await connection.runAndReadAll(
    "SELECT c.table_schema || '.' || c.table_name AS name, c.column_name FROM information_schema.columns AS c " +
      "JOIN information_schema.tables AS t USING (table_catalog, table_schema, table_name) WHERE t.table_type = 'BASE TABLE'",
  );
  const existing = new Map<string, string[]>();
  for (const row of reader.getRowObjects()) {
    const name = String(row.name);
    existing.set(name, [...(existing.get(name) ?? []), String(row.column_name)]);
  }
  const changed = changedTables(declared, existing).map((d) => d.table);
  for (const table of changed) await connection.run(`DROP TABLE ${table}`);
  return changed;
}

async function inTransaction<T>(
  connection: DuckDBConnection,
  file: string,
  work: () => Promise<T>,
): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK');
    throw new Error(`${file} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
