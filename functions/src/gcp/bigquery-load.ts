/**
 * What one window load sends to BigQuery, as pure data: the staging tables' schemas, each batch
 * of rows as load-job text, and the replacing transaction with its parameters. The adapter
 * (`bigquery-warehouse.ts`) only moves these over the wire.
 */
import {
  type ColumnType,
  LOAD_COLUMNS,
  loadParameter,
  REJECT_COLUMNS,
  rawTableName,
  rejectsTableName,
  type Stream,
  windowColumnOf,
} from '../catalog.js';
import { BIGQUERY_DIALECT, notForgotten } from '../forget-sql.js';
import { FORGET_TARGETS, FORGOTTEN_USERS_TABLE, REJECT_IDENTIFIERS } from '../forget-tables.js';
import { loadedEdgeTableName } from '../live/live-tables.js';
import { mergeLoadedEdge } from '../live/loaded-edge-sql.js';
import type { Cell, RawRow, Reject, WindowLoad } from '../ports.js';
import { rawTableFields, type TableField } from './raw-schema.js';
import { csvLine } from './staging-csv.js';

/**
 * How each catalog type is staged, and the SQL that turns the staged column into the raw one.
 * Timestamps travel as the epoch milliseconds the normaliser produced, with no text to format.
 * JSON values are staged as text and parsed inside the transaction: a load job would read a JSON
 * string cell as a JSON *string*, not as the object it encodes, and `round` keeps a window
 * loadable when a record carries a number wider than FLOAT64 (rounded to the nearest FLOAT64, as
 * everywhere in a JSON value).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#parse_json
 */
const parseJson = (column: string): string => `PARSE_JSON(${column}, wide_number_mode => 'round')`;

const STAGED: Readonly<Record<ColumnType, { type: ColumnType; toRaw: (column: string) => string }>> = {
  STRING: { type: 'STRING', toRaw: (c) => c },
  INT64: { type: 'INT64', toRaw: (c) => c },
  FLOAT64: { type: 'FLOAT64', toRaw: (c) => c },
  BOOL: { type: 'BOOL', toRaw: (c) => c },
  TIMESTAMP: { type: 'INT64', toRaw: (c) => `TIMESTAMP_MILLIS(${c})` },
  JSON: { type: 'STRING', toRaw: parseJson },
};

export interface StagingTables {
  readonly rows: string;
  readonly rejects: string;
}

export interface ReplaceQuery {
  readonly query: string;
  /** Named parameters: window bounds and load time as Dates (the client sends them as TIMESTAMP). */
  readonly params: Readonly<Record<string, string | Date>>;
  readonly types: Readonly<Record<string, 'STRING' | 'TIMESTAMP'>>;
}

/** One batch of rows as load-job text, each row in exactly one of the two. */
export interface StagedRows {
  /** CSV lines (`STAGING_CSV`), each ending in a line feed: nearly every row. */
  readonly csv: string;
  /** NDJSON records of the rows CSV cannot carry unquoted (`csvLine` says which). */
  readonly ndjson: string;
}

export interface LoadPlan {
  /** Staging schema of the rows: the catalog columns as staged (`STAGED`), then `payload` text. */
  readonly rowFields: readonly TableField[];
  readonly rejectFields: readonly TableField[];
  stageRows(rows: readonly RawRow[]): StagedRows;
  /** Rejects as NDJSON records: they are rare, and their lines may be anything. */
  stageRejects(rejects: readonly Reject[]): string;
  replace(load: WindowLoad, staging: StagingTables): ReplaceQuery;
}

export interface DatasetRef {
  readonly projectId: string;
  readonly dataset: string;
}

const table = (ref: DatasetRef, name: string): string => `\`${ref.projectId}.${ref.dataset}.${name}\``;

export function loadPlan(stream: Stream, raw: DatasetRef): LoadPlan {
  const columns = stream.columns;
  const rowFields: TableField[] = [
    ...columns.map((c) => ({ name: c.name, type: STAGED[c.type].type, mode: 'NULLABLE' as const })),
    { name: 'payload', type: 'STRING', mode: 'NULLABLE' },
  ];
  const rejectFields: TableField[] = [
    { name: 'created_at', type: STAGED.TIMESTAMP.type, mode: 'NULLABLE' },
    { name: 'line', type: 'STRING', mode: 'NULLABLE' },
    { name: 'reason', type: 'STRING', mode: 'NULLABLE' },
  ];
  const target = rawTableFields(stream);
  const rawTable = table(raw, rawTableName(stream.name));
  const rejectsTable = table(raw, rejectsTableName(stream.name));
  const dimension = stream.source.kind === 'dimension';
  const inWindow = (column: string) => `${column} >= @window_start AND ${column} < @window_end`;
  // Users are forgotten for good: a later load of their rows (a re-read, a backfill) skips them.
  const forgotten = table(raw, FORGOTTEN_USERS_TABLE);
  const forgetTarget = FORGET_TARGETS.find(
    (t) => t.dataset === 'raw' && t.table === rawTableName(stream.name),
  );
  const keepRow = forgetTarget ? ` WHERE ${notForgotten(BIGQUERY_DIALECT, forgetTarget, forgotten)}` : '';
  const keepReject = ` WHERE ${notForgotten(BIGQUERY_DIALECT, REJECT_IDENTIFIERS, forgotten)}`;
  // A reject without a readable createdAt is filed under the window (or piece of a split window)
  // that produced it; replacing a window replaces those of its pieces too.
  const rejectOfWindow = `(${inWindow('created_at')}) OR (created_at IS NULL AND _window_start >= @window_start AND _window_end <= @window_end)`;
  const metadata = LOAD_COLUMNS.map((c) => `@${loadParameter(c)}`).join(', ');
  const rawColumns = target.map((f) => f.name).join(', ');
  const staged = columns.map((c) => STAGED[c.type].toRaw(c.name));
  const rowRecord = (row: RawRow): Record<string, Cell> => {
    const record: Record<string, Cell> = {};
    columns.forEach((c, k) => {
      record[c.name] = row.cells[k] ?? null;
    });
    record.payload = row.payload;
    return record;
  };

  return {
    rowFields,
    rejectFields,
    stageRows(rows) {
      let csv = '';
      let ndjson = '';
      for (const row of rows) {
        const line = csvLine(row.cells, row.payload);
        if (line !== null) csv += `${line}\n`;
        else ndjson += `${JSON.stringify(rowRecord(row))}\n`;
      }
      return { csv, ndjson };
    },
    stageRejects: (rejects) =>
      rejects
        .map((r) => `${JSON.stringify({ created_at: r.createdAt, line: r.line, reason: r.reason })}\n`)
        .join(''),
    replace(load, staging) {
      // BigQuery's DELETE needs a WHERE clause; a dimension is read whole, so it replaces the
      // whole table. The window bounds are constants of the query, so BigQuery prunes the
      // partitions of an event table to the window's days.
      // https://cloud.google.com/bigquery/docs/querying-partitioned-tables#pruning_limiting_partitions
      const query = [
        'BEGIN TRANSACTION;',
        `DELETE FROM ${rawTable} WHERE ${dimension ? 'TRUE' : inWindow(windowColumnOf(stream) ?? 'created_at')};`,
        `INSERT INTO ${rawTable} (${rawColumns})`,
        `SELECT ${[...staged, parseJson('payload')].join(', ')}, ${metadata} FROM ${table(raw, staging.rows)}${keepRow};`,
        `DELETE FROM ${rejectsTable} WHERE ${dimension ? 'TRUE' : rejectOfWindow};`,
        `INSERT INTO ${rejectsTable} (${REJECT_COLUMNS.map((c) => c.name).join(', ')})`,
        `SELECT @stream, ${STAGED.TIMESTAMP.toRaw('created_at')}, line, reason, ${metadata} FROM ${table(raw, staging.rejects)}${keepReject};`,
        // An export window moves its stream's loaded edge in the same transaction, so the live
        // views switch from webhook rows to exported rows exactly when the rows arrive.
        ...(dimension
          ? []
          : [
              `${mergeLoadedEdge({
                table: table(raw, loadedEdgeTableName(stream.name)),
                stream: '@stream',
                windowEnd: '@window_end',
                loadedAt: '@loaded_at',
              })};`,
            ]),
        'COMMIT TRANSACTION;',
      ].join('\n');
      return {
        query,
        params: {
          stream: stream.name,
          window_start: new Date(load.window.start),
          window_end: new Date(load.window.end),
          loaded_at: new Date(load.loadedAt),
          run_id: load.runId,
        },
        types: {
          stream: 'STRING',
          window_start: 'TIMESTAMP',
          window_end: 'TIMESTAMP',
          loaded_at: 'TIMESTAMP',
          run_id: 'STRING',
        },
      };
    },
  };
}
