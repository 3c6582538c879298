/**
 * Upgrades at deploy: before a `sql/` file whose tables an earlier version built with other
 * columns, a BigQuery script drops those tables, so the file's first-build path rebuilds them from
 * the raw tables (sql/declared-tables.ts says why a table cannot just be kept). The comparison runs
 * in BigQuery, against `INFORMATION_SCHEMA.COLUMNS`
 * (https://cloud.google.com/bigquery/docs/information-schema-columns), as a job of its own: a
 * script's `DECLARE`s must come first (https://cloud.google.com/bigquery/docs/reference/standard-sql/procedural-language#declare),
 * so the check cannot be put ahead of a fact file's own.
 */
import { type DeclaredTable, declaredTables } from '../../sql/declared-tables.js';
import type { SqlFile } from './run-sql-files.js';

const quoted = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** Drops `table` when it exists with another set of columns; a missing table compares as NULL. */
function dropIfChanged({ table, columns }: DeclaredTable): string {
  const [dataset, name] = table.split('.');
  const wanted = columns
    .map((c) => c.name.toLowerCase())
    .sort()
    .join(',');
  return [
    `IF IFNULL((`,
    `  SELECT STRING_AGG(LOWER(column_name), ',' ORDER BY LOWER(column_name))`,
    `  FROM ${dataset}.INFORMATION_SCHEMA.COLUMNS WHERE table_name = ${quoted(name ?? '')}`,
    `) != ${quoted(wanted)}, FALSE) THEN`,
    `  DROP TABLE ${table};`,
    'END IF;',
  ].join('\n');
}

/** The files with, before each that declares tables, the job that drops its changed ones. */
export function withColumnChecks(files: readonly SqlFile[]): SqlFile[] {
  return files.flatMap((file) => {
    const declared = declaredTables(file.sql);
    if (declared.length === 0) return [file];
    return [{ key: `${file.key}_columns`, sql: declared.map(dropIfChanged).join('\n') }, file];
  });
}
