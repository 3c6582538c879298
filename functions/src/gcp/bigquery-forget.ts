/**
 * Forgetting on BigQuery, as pure data: the query that counts each forgotten user's rows per
 * table, and the transaction that deletes them and writes the audit. The hashes travel as an
 * `ARRAY<STRING>` query parameter, never in the SQL text.
 * https://cloud.google.com/bigquery/docs/parameterized-queries
 *
 * Counting and deleting are two jobs: a row loaded between them is still deleted (the delete
 * matches hashes, not counted rows), so the audit may undercount such a row but nothing remains.
 * Rows written through the Storage Write API in the last ~30 minutes (the live table's Pub/Sub
 * subscription) cannot be deleted by DML yet; the next daily run deletes them.
 * https://cloud.google.com/bigquery/docs/data-manipulation-language#limitations
 */
import { BIGQUERY_DIALECT, targetSql } from '../forget-sql.js';
import { FORGOTTEN_USERS_TABLE, type ForgetTarget } from '../forget-tables.js';

export interface ForgetDatasets {
  readonly projectId: string;
  readonly raw: string;
  readonly analytics: string;
  readonly live: string;
}

/** `project.dataset.table`, the name the audit records, and the quoted one SQL uses. */
export function tableNames(datasets: ForgetDatasets, target: ForgetTarget): { name: string; sql: string } {
  const dataset = datasets[target.dataset];
  return { name: `${dataset}.${target.table}`, sql: `\`${datasets.projectId}.${dataset}.${target.table}\`` };
}

const HASHES = 'UNNEST(@hashes) AS user_hash';

/** One query: `table_name`, `user_hash`, `n` for every table in `targets`. */
export function countQuery(datasets: ForgetDatasets, targets: readonly ForgetTarget[]): string {
  return targets
    .map((target) => {
      const { name, sql } = tableNames(datasets, target);
      return `SELECT '${name}' AS table_name, user_hash, n FROM (${targetSql(BIGQUERY_DIALECT, target, sql, HASHES).count})`;
    })
    .join('\nUNION ALL\n');
}

/**
 * The transaction: every table's delete, then one audit row per entry of the parallel arrays
 * `@audit_hashes`, `@audit_kinds`, `@audit_tables` (JSON text) and `@audit_rows`.
 * https://cloud.google.com/bigquery/docs/transactions
 */
export function forgetScript(datasets: ForgetDatasets, targets: readonly ForgetTarget[]): string {
  const audit = `\`${datasets.projectId}.${datasets.raw}.${FORGOTTEN_USERS_TABLE}\``;
  return [
    'BEGIN TRANSACTION;',
    ...targets.map((t) => `${targetSql(BIGQUERY_DIALECT, t, tableNames(datasets, t).sql, HASHES).delete};`),
    `INSERT INTO ${audit} (user_hash, id_kind, tables, rows_deleted, forgotten_at)
     SELECT user_hash, @audit_kinds[OFFSET(i)], PARSE_JSON(@audit_tables[OFFSET(i)]), @audit_rows[OFFSET(i)], @forgotten_at
     FROM UNNEST(@audit_hashes) AS user_hash WITH OFFSET AS i;`,
    'COMMIT TRANSACTION;',
  ].join('\n');
}
