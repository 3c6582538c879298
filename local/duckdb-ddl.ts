/**
 * DuckDB DDL of the local warehouse, derived from the catalog only: the two datasets become
 * schemas, each stream gets `<raw>.<stream>_raw` with its typed columns then the load metadata,
 * the raw dataset gets each stream's rejects and loaded-edge tables with the `rejects` and
 * `loaded_edges` views over them (functions/src/per-stream-tables.ts) and the audit of forgotten
 * users, and `iterable_live` the webhook tables. The BigQuery tables come from the same catalog rows.
 */
import {
  type ColumnType,
  METADATA_COLUMNS,
  rawTableName,
  rejectsTableName,
  STREAMS,
  type StreamDefinition,
  type StreamName,
} from '../functions/src/catalog.js';
import { FORGOTTEN_USERS_COLUMNS, FORGOTTEN_USERS_TABLE } from '../functions/src/forget-tables.js';
import {
  LIVE_DATASET,
  LIVE_EVENT_COLUMNS,
  LIVE_EVENTS_TABLE,
  LIVE_REJECT_COLUMNS,
  LIVE_REJECTS_TABLE,
  loadedEdgeTableName,
} from '../functions/src/live/live-tables.js';
import {
  LOADED_EDGES,
  type PerStreamTables,
  REJECTS,
  unionViewQuery,
} from '../functions/src/per-stream-tables.js';
import type { Datasets } from '../sql/datasets.js';

/**
 * BigQuery types in DuckDB. TIMESTAMP is an absolute instant in BigQuery, so it maps to
 * TIMESTAMPTZ; the warehouse pins the session time zone to UTC so that `DATE(ts)` and
 * `EXTRACT(HOUR FROM ts)` give BigQuery's (UTC) answers.
 */
export const DUCKDB_TYPES: Readonly<Record<ColumnType, string>> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMPTZ',
  JSON: 'JSON',
};

export interface TableColumn {
  readonly name: string;
  readonly type: ColumnType;
}

/** The raw table's columns, in order: the stream's catalog columns, then the load metadata. */
export const rawTableColumns = (stream: StreamDefinition): readonly TableColumn[] => [
  ...stream.columns,
  ...METADATA_COLUMNS,
];

/** Dataset names end up in SQL text, so only plain identifiers are accepted. */
export const rawTable = (datasets: Datasets, stream: StreamName): string =>
  `${datasets.raw}.${rawTableName(stream)}`;

export const rejectsTable = (datasets: Datasets, stream: StreamName): string =>
  `${datasets.raw}.${rejectsTableName(stream)}`;

export const loadedEdgeTable = (datasets: Datasets, stream: StreamName): string =>
  `${datasets.raw}.${loadedEdgeTableName(stream)}`;

const createTable = (table: string, columns: readonly TableColumn[]): string =>
  `CREATE TABLE IF NOT EXISTS ${table} (${columns.map((c) => `${c.name} ${DUCKDB_TYPES[c.type]}`).join(', ')})`;

/**
 * A warehouse file from before the split holds one table where the view goes now: its rows move
 * to their stream's table, and it is dropped, so the view can take its name.
 */
const split = (datasets: Datasets, tables: PerStreamTables): string[] => {
  const columns = tables.columns.map((c) => c.name).join(', ');
  return [
    ...tables.tables.flatMap((t) => [
      createTable(`${datasets.raw}.${t.table}`, tables.columns),
      `INSERT INTO ${datasets.raw}.${t.table} (${columns}) SELECT ${columns} FROM ${datasets.raw}.${tables.view} WHERE stream = '${t.stream}'`,
    ]),
    `DROP TABLE ${datasets.raw}.${tables.view}`,
  ];
};

/** The stream tables, then the view over them, replaced so that it lists every stream of the catalog. */
const perStreamDdl = (datasets: Datasets, tables: PerStreamTables, shared: boolean): string[] => [
  ...(shared ? split(datasets, tables) : []),
  ...tables.tables.map((t) => createTable(`${datasets.raw}.${t.table}`, tables.columns)),
  `CREATE OR REPLACE VIEW ${datasets.raw}.${tables.view} AS ${unionViewQuery(tables, (t) => `${datasets.raw}.${t}`)}`,
];

/**
 * Every statement that makes an empty warehouse, idempotent. Existing tables are left as they are,
 * except the shared tables of `baseTables` (the raw dataset's base tables), split per stream. A
 * catalog column added later needs the local warehouse file to be recreated.
 */
export function warehouseDdl(datasets: Datasets, baseTables: ReadonlySet<string> = new Set()): string[] {
  const perStream = (tables: PerStreamTables) => perStreamDdl(datasets, tables, baseTables.has(tables.view));
  return [
    `CREATE SCHEMA IF NOT EXISTS ${datasets.raw}`,
    `CREATE SCHEMA IF NOT EXISTS ${datasets.analytics}`,
    ...STREAMS.map((s) => createTable(rawTable(datasets, s.name), rawTableColumns(s))),
    ...perStream(REJECTS),
    createTable(`${datasets.raw}.${FORGOTTEN_USERS_TABLE}`, FORGOTTEN_USERS_COLUMNS),
    ...perStream(LOADED_EDGES),
    // The live dataset keeps its name: on GCP it is the BigQuery subscription's fixed target.
    `CREATE SCHEMA IF NOT EXISTS ${LIVE_DATASET}`,
    createTable(`${LIVE_DATASET}.${LIVE_EVENTS_TABLE}`, LIVE_EVENT_COLUMNS),
    createTable(`${LIVE_DATASET}.${LIVE_REJECTS_TABLE}`, LIVE_REJECT_COLUMNS),
  ];
}
