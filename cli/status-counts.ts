/**
 * Rows and rejects per stream, in one query that runs unchanged on DuckDB and BigQuery (the
 * portable subset of design.md). On BigQuery a table's `COUNT(*)` is answered from metadata and
 * bills nothing; only the rejects table's `stream` column is scanned.
 */
import { REJECTS_VIEW, rawTableName, STREAMS } from '../functions/src/catalog.js';
import type { StreamCounts } from './status-model.js';

export interface CountRow {
  readonly stream: string;
  readonly count_rows: number | string;
  readonly count_rejects: number | string;
}

export function countsSql(rawDataset: string): string {
  const loaded = STREAMS.map(
    (s) => `SELECT '${s.name}' AS stream, COUNT(*) AS count_rows FROM ${rawDataset}.${rawTableName(s.name)}`,
  ).join('\n    UNION ALL ');
  return `WITH loaded AS (
    ${loaded}
  ),
  rejected AS (
    SELECT stream, COUNT(*) AS count_rejects FROM ${rawDataset}.${REJECTS_VIEW} GROUP BY stream
  )
  SELECT loaded.stream, loaded.count_rows, IFNULL(rejected.count_rejects, 0) AS count_rejects
  FROM loaded LEFT JOIN rejected ON rejected.stream = loaded.stream`;
}

/** BigQuery's client returns INT64 as a string in some paths; both engines' answers become numbers. */
export const toCounts = (rows: readonly CountRow[]): Map<string, StreamCounts> =>
  new Map(rows.map((r) => [r.stream, { rows: Number(r.count_rows), rejects: Number(r.count_rejects) }]));
