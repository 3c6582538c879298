/**
 * Script variables in the files of sql/: how a fact file bounds its raw reads with a value
 * computed first. BigQuery prunes partitions only on filters that are constants or script
 * variables ("if you use dynamic expressions in your query filter, BigQuery must scan all of the
 * partitions", https://cloud.google.com/bigquery/docs/querying-partitioned-tables), so a file
 * declares a variable, sets it from a query, then filters with it:
 *
 *   DECLARE events_from TIMESTAMP;            -- alone on its line, before any other statement
 *   SET events_from = (SELECT …);
 *   … WHERE created_at >= events_from …
 *
 * DuckDB has no DECLARE; its session variables (`SET VARIABLE name = …`, read with
 * `getvariable('name')`, https://duckdb.org/docs/sql/statements/set_variable) play the same part,
 * and DuckDB folds `getvariable` into a constant that it pushes down into the table scan, as it
 * does not for a scalar subquery: the same rule as BigQuery's. `duckDbScript` rewrites the one
 * into the other, so both engines run one file.
 *
 * A set of keys is an ARRAY variable, filtered on with `column IN UNNEST(name)`: BigQuery prunes a
 * clustered table's blocks by it as by constants, which a subquery does not let it do
 * (https://cloud.google.com/bigquery/docs/querying-clustered-tables). DuckDB's `IN` takes no
 * UNNEST, so there it becomes `IN (SELECT UNNEST(getvariable('name')))`.
 */

export interface ScriptVariable {
  readonly name: string;
  /** The BigQuery type named in the DECLARE, e.g. TIMESTAMP or ARRAY<INT64>. */
  readonly type: string;
}

const DECLARE = /^DECLARE (\w+) ([\w<>]+);\n/gm;
/** A file's own transaction: the local runner already runs each file in one (local/sql/models.ts). */
const TRANSACTION = /^(?:BEGIN|COMMIT) TRANSACTION;\n/gm;

export function scriptVariables(sql: string): ScriptVariable[] {
  return [...sql.matchAll(DECLARE)].map(([, name, type]) => ({ name: name as string, type: type as string }));
}

/** Replaces each use of a variable (not an assignment to it, not a `table.column`) with `to(name)`. */
export function replaceVariableUses(sql: string, name: string, to: (name: string) => string): string {
  return sql.replace(new RegExp(`(?<![.\\w])${name}\\b(?! =)`, 'g'), () => to(name));
}

/**
 * The script with its DECLAREs and its transaction statements dropped, SETs as DuckDB
 * `SET VARIABLE`, uses as `getvariable`.
 */
export function duckDbScript(sql: string): string {
  let script = sql.replace(DECLARE, '').replace(TRANSACTION, '');
  for (const { name } of scriptVariables(sql)) {
    script = script.replace(new RegExp(`\\bIN UNNEST\\(${name}\\)`, 'g'), `IN (SELECT UNNEST(${name}))`);
    script = replaceVariableUses(script, name, (n) => `getvariable('${n}')`).replace(
      new RegExp(`^SET ${name} =`, 'gm'),
      `SET VARIABLE ${name} =`,
    );
  }
  return script;
}
