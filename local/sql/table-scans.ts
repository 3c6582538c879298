/**
 * What a script read: DuckDB's profiler, run statement by statement, reports every table scan
 * with the filters pushed down into it and the rows it read. DuckDB pushes a filter into a scan
 * only when its bound is a constant once planned (a literal, or a session variable: the way the
 * files' script variables run here), never a scalar subquery: the same rule by which BigQuery
 * prunes partitions (https://cloud.google.com/bigquery/docs/querying-partitioned-tables). So a raw
 * scan without a filter on its partitioning column (`created_at`, `profile_updated_at`) here is a raw read that BigQuery would bill in full.
 * https://duckdb.org/docs/dev/profiling (metrics `OPERATOR_ROWS_SCANNED`, `EXTRA_INFO`).
 * Statistics propagation is turned off while profiling: it drops a filter the table's min/max
 * prove always true (a first build's `created_at >= 1970-01-01`), which would hide a bound that
 * is written, and that BigQuery needs, from the report.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { rawTableName, STREAMS, windowColumnOf } from '../../functions/src/catalog.js';
import type { Datasets } from '../../sql/datasets.js';

export interface TableScan {
  /** `schema.table`, e.g. `iterable_raw.email_open_raw`. */
  readonly table: string;
  /** The filters DuckDB pushed into the scan, as its profiler writes them; '' for none. */
  readonly filters: string;
  readonly rowsScanned: number;
}

interface ProfileNode {
  readonly operator_type?: string;
  readonly operator_rows_scanned?: number;
  readonly extra_info?: { readonly Table?: string; readonly Filters?: string | string[] };
  readonly children?: readonly ProfileNode[];
}

const METRICS = JSON.stringify({ OPERATOR_ROWS_SCANNED: 'true', EXTRA_INFO: 'true', OPERATOR_TYPE: 'true' });

/** Runs `sql` one statement at a time with the profiler on, and returns every table scan. */
export async function runProfiled(connection: DuckDBConnection, sql: string): Promise<TableScan[]> {
  const dir = mkdtempSync(join(tmpdir(), 'duckdb-profile-'));
  const output = join(dir, 'profile.json');
  const scans: TableScan[] = [];
  try {
    await connection.run(
      `SET disabled_optimizers = 'statistics_propagation'; SET enable_profiling = 'json'; SET profiling_output = '${output}'; SET custom_profiling_settings = '${METRICS}'`,
    );
    const statements = await connection.extractStatements(sql);
    for (let k = 0; k < statements.count; k++) {
      rmSync(output, { force: true });
      await (await statements.prepare(k)).run();
      // DDL (CREATE VIEW, CREATE TABLE) runs no query plan, so it leaves no profile.
      if (existsSync(output)) collect(JSON.parse(readFileSync(output, 'utf8')) as ProfileNode, scans);
    }
    return scans;
  } finally {
    await connection.run('PRAGMA disable_profiling; RESET disabled_optimizers');
    rmSync(dir, { recursive: true, force: true });
  }
}

function collect(node: ProfileNode, into: TableScan[]): void {
  const table = node.extra_info?.Table;
  if (node.operator_type === 'TABLE_SCAN' && table !== undefined) {
    const filters = node.extra_info?.Filters ?? '';
    into.push({
      // The profiler names `database.schema.table`.
      table: table.split('.').slice(-2).join('.'),
      filters: Array.isArray(filters) ? filters.join(' AND ') : filters,
      rowsScanned: node.operator_rows_scanned ?? 0,
    });
  }
  for (const child of node.children ?? []) collect(child, into);
}

/**
 * The raw tables of exported streams, each with the column its windows are cut on and BigQuery
 * partitions it by day of: `created_at` for events, `profile_updated_at` for the user profiles.
 */
export function rawWindowedTables(datasets: Datasets): Map<string, string> {
  return new Map(
    STREAMS.flatMap((s) => {
      const column = windowColumnOf(s);
      return column === null ? [] : [[`${datasets.raw}.${rawTableName(s.name)}`, column] as const];
    }),
  );
}

/** Scans of a windowed raw table with no bound on its window column pushed into them. */
export function unboundedRawScans(scans: readonly TableScan[], datasets: Datasets): TableScan[] {
  const raw = rawWindowedTables(datasets);
  return scans.filter((s) => {
    const column = raw.get(s.table);
    return column !== undefined && !new RegExp(`\\b${column}\\s*(>=|>|=|BETWEEN)`, 'i').test(s.filters);
  });
}
