/**
 * The SQL and appender code of one window load. Rows stream through DuckDB's Appender into
 * connection-local temp tables (staging), so memory on the JS side stays flat whatever the
 * window's size; one transaction then swaps the window in the raw table for the staged rows.
 */
import type { DuckDBAppender, DuckDBValue } from '@duckdb/node-api';
import {
  type ColumnType,
  LOAD_COLUMNS,
  loadParameter,
  METADATA_COLUMNS,
  REJECT_COLUMNS,
  rawTableName,
  type Stream,
  windowColumnOf,
} from '../functions/src/catalog.js';
import { notForgotten } from '../functions/src/forget-sql.js';
import { FORGET_TARGETS, REJECT_IDENTIFIERS } from '../functions/src/forget-tables.js';
import { mergeLoadedEdge } from '../functions/src/live/loaded-edge-sql.js';
import type { Cell, RawRow, Reject, WindowLoad } from '../functions/src/ports.js';
import type { Datasets } from '../sql/datasets.js';
import { ChunkWriter, type StagingType, type WriterColumn } from './duckdb-chunk-writer.js';
import { loadedEdgeTable, rawTable, rejectsTable } from './duckdb-ddl.js';
import { DUCKDB_DIALECT, forgottenUsersTable } from './duckdb-forget.js';

export const STAGING_ROWS = 'staging_rows';
export const STAGING_REJECTS = 'staging_rejects';
/** Temp tables live in DuckDB's `temp` catalog, `main` schema, visible to their connection only. */
export const TEMP_CATALOG = 'temp';
export const TEMP_SCHEMA = 'main';

/** SQL for the TIMESTAMP of an epoch-millisecond number (a staged column or a parameter). */
export const epochMsToTimestamp = (ms: string): string => `make_timestamptz(CAST(${ms} AS BIGINT) * 1000)`;

/**
 * How each catalog type is staged, and the SQL that turns the staged column into the raw one.
 * Numbers (INT64 and epoch-millisecond TIMESTAMPs too) are staged as DOUBLE: it needs no BigInt
 * per cell, holds every integer a JS number can, and the conversion runs vectorised in DuckDB.
 */
const STAGED: Readonly<Record<ColumnType, { staging: StagingType; toRaw: (column: string) => string }>> = {
  STRING: { staging: 'VARCHAR', toRaw: (c) => c },
  INT64: { staging: 'DOUBLE', toRaw: (c) => `CAST(${c} AS BIGINT)` },
  FLOAT64: { staging: 'DOUBLE', toRaw: (c) => c },
  BOOL: { staging: 'BOOLEAN', toRaw: (c) => c },
  TIMESTAMP: { staging: 'DOUBLE', toRaw: epochMsToTimestamp },
  JSON: { staging: 'VARCHAR', toRaw: (c) => `CAST(${c} AS JSON)` },
};

/** The reject fields a load stages; the stream and load columns come from the transaction. */
const STAGED_REJECT_COLUMNS: readonly WriterColumn<Reject>[] = [
  { name: 'created_at', staging: 'DOUBLE', cell: (r) => r.createdAt },
  { name: 'line', staging: 'VARCHAR', cell: (r) => r.line },
  { name: 'reason', staging: 'VARCHAR', cell: (r) => r.reason },
];

const createStaging = (table: string, columns: readonly { name: string; staging: StagingType }[]): string =>
  `CREATE OR REPLACE TEMP TABLE ${table} (${columns.map((c) => `${c.name} ${c.staging}`).join(', ')})`;

export interface BoundStatement {
  readonly sql: string;
  readonly values: Record<string, DuckDBValue>;
}

/** DuckDB refuses values for parameters a statement does not use, so each gets only its own. */
const bind = (sql: string, all: Record<string, DuckDBValue>): BoundStatement => ({
  sql,
  values: Object.fromEntries(Object.entries(all).filter(([name]) => new RegExp(`\\$${name}\\b`).test(sql))),
});

export interface LoadSql {
  /** Creates the two staging temp tables on the load's own connection. */
  readonly createStaging: readonly string[];
  readonly dropStaging: readonly string[];
  rowWriter(appender: DuckDBAppender): ChunkWriter<RawRow>;
  rejectWriter(appender: DuckDBAppender): ChunkWriter<Reject>;
  /** The statements of the replacing transaction, in order, with their parameters bound. */
  replace(load: WindowLoad): readonly BoundStatement[];
}

export function loadSql(stream: Stream, datasets: Datasets): LoadSql {
  const columns = stream.columns.map((c) => ({ name: c.name, ...STAGED[c.type] }));
  const rowColumns: readonly WriterColumn<RawRow>[] = [
    ...columns.map((c, k) => ({ name: c.name, staging: c.staging, cell: (r: RawRow) => r.cells[k] as Cell })),
    { name: 'payload', staging: 'VARCHAR', cell: (r) => r.payload },
  ];
  const stagedRows = `${TEMP_CATALOG}.${TEMP_SCHEMA}.${STAGING_ROWS}`;
  const stagedRejects = `${TEMP_CATALOG}.${TEMP_SCHEMA}.${STAGING_REJECTS}`;
  const raw = rawTable(datasets, stream.name);
  const rejects = rejectsTable(datasets, stream.name);
  const ts = (param: string) => epochMsToTimestamp(`$${param}`);
  const metadata = LOAD_COLUMNS.map((c) =>
    c.type === 'TIMESTAMP' ? ts(loadParameter(c)) : `$${loadParameter(c)}`,
  ).join(', ');
  const dimension = stream.source.kind === 'dimension';
  const inWindow = (column: string) =>
    `${column} >= ${ts('window_start')} AND ${column} < ${ts('window_end')}`;
  // Users are forgotten for good: a later load of their rows (a re-read, a backfill) skips them.
  const forgotten = forgottenUsersTable(datasets);
  const target = FORGET_TARGETS.find((t) => t.dataset === 'raw' && t.table === rawTableName(stream.name));
  const keepRow = target ? ` WHERE ${notForgotten(DUCKDB_DIALECT, target, forgotten)}` : '';
  const keepReject = ` WHERE ${notForgotten(DUCKDB_DIALECT, REJECT_IDENTIFIERS, forgotten)}`;
  // A reject without a readable createdAt is filed under the window (or piece of a split window)
  // that produced it; replacing a window replaces those of its pieces too.
  const rejectOfWindow = `(${inWindow('created_at')}) OR (created_at IS NULL AND _window_start >= ${ts('window_start')} AND _window_end <= ${ts('window_end')})`;
  const replaceSql = [
    // A dimension is read whole, so its load replaces the whole table (and all its rejects).
    dimension
      ? `DELETE FROM ${raw}`
      : `DELETE FROM ${raw} WHERE ${inWindow(windowColumnOf(stream) ?? 'created_at')}`,
    `INSERT INTO ${raw} (${[...columns, ...METADATA_COLUMNS].map((c) => c.name).join(', ')})
     SELECT ${columns.map((c) => c.toRaw(c.name)).join(', ')}, ${STAGED.JSON.toRaw('payload')}, ${metadata} FROM ${stagedRows}${keepRow}`,
    dimension ? `DELETE FROM ${rejects}` : `DELETE FROM ${rejects} WHERE ${rejectOfWindow}`,
    `INSERT INTO ${rejects} (${REJECT_COLUMNS.map((c) => c.name).join(', ')})
     SELECT $stream, ${STAGED.TIMESTAMP.toRaw('created_at')}, line, reason, ${metadata} FROM ${stagedRejects}${keepReject}`,
    // An export window moves its stream's loaded edge; a dimension has no time to cover.
    ...(dimension
      ? []
      : [
          mergeLoadedEdge({
            table: loadedEdgeTable(datasets, stream.name),
            stream: '$stream',
            windowEnd: ts('window_end'),
            loadedAt: ts('loaded_at'),
          }),
        ]),
  ];
  return {
    createStaging: [
      createStaging(STAGING_ROWS, rowColumns),
      createStaging(STAGING_REJECTS, STAGED_REJECT_COLUMNS),
    ],
    dropStaging: [`DROP TABLE IF EXISTS ${stagedRows}`, `DROP TABLE IF EXISTS ${stagedRejects}`],
    rowWriter: (appender) => new ChunkWriter(appender, rowColumns),
    rejectWriter: (appender) => new ChunkWriter(appender, STAGED_REJECT_COLUMNS),
    replace(load) {
      const values = {
        stream: stream.name,
        window_start: load.window.start,
        window_end: load.window.end,
        loaded_at: load.loadedAt,
        run_id: load.runId,
      };
      return replaceSql.map((sql) => bind(sql, values));
    },
  };
}
