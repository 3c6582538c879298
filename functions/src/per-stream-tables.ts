/**
 * Tables every stream's loads write, split into one table per stream behind a view of the shared
 * name: the rejects (`<stream>_rejects`, view `rejects`) and the loaded edges
 * (`<stream>_loaded_edge`, view `loaded_edges`). A window's transaction then writes only tables of
 * its own stream, and BigQuery, which cancels one of two transactions that mutate the same table
 * ("Conflicting transactions are cancelled"), never makes two streams' loads conflict.
 * https://cloud.google.com/bigquery/docs/transactions#transaction_concurrency
 * People, the status report, the dashboard and the SQL models read the views; a view cannot be
 * written to, so loads and forgetting write the stream tables. Both warehouses (and Pulumi) derive
 * the tables and the views from these two declarations.
 */
import {
  type ColumnType,
  REJECT_COLUMNS,
  REJECTS_VIEW,
  rejectsTableName,
  STREAMS,
  type StreamName,
} from './catalog.js';
import { LOADED_EDGE_COLUMNS, LOADED_EDGES_VIEW, loadedEdgeTableName } from './live/live-tables.js';

export interface PerStreamTables {
  /** The view over every stream's table, under the name readers use. */
  readonly view: string;
  readonly description: string;
  readonly columns: readonly { readonly name: string; readonly type: ColumnType }[];
  /** The streams with a table of their own, each with its table's name. */
  readonly tables: readonly { readonly stream: StreamName; readonly table: string }[];
}

export const REJECTS: PerStreamTables = {
  view: REJECTS_VIEW,
  description: 'Records that failed validation, with their raw line, stream, window and reason',
  columns: REJECT_COLUMNS,
  tables: STREAMS.map((s) => ({ stream: s.name, table: rejectsTableName(s.name) })),
};

/** Dimensions are replaced whole and have no time to cover, so only export streams have an edge. */
export const LOADED_EDGES: PerStreamTables = {
  view: LOADED_EDGES_VIEW,
  description: 'Per export stream, the end of the furthest window loaded: live rows count from there',
  columns: LOADED_EDGE_COLUMNS,
  tables: STREAMS.filter((s) => s.source.kind === 'export').map((s) => ({
    stream: s.name,
    table: loadedEdgeTableName(s.name),
  })),
};

/** The view's query, `SELECT … UNION ALL` as both engines run it; `qualify` names a table. */
export function unionViewQuery(tables: PerStreamTables, qualify: (table: string) => string): string {
  const columns = tables.columns.map((c) => c.name).join(', ');
  return tables.tables.map((t) => `SELECT ${columns} FROM ${qualify(t.table)}`).join('\nUNION ALL\n');
}
