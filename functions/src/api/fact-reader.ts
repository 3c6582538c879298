/**
 * The query port of the API: one parameterized statement in, rows out. Statements name their
 * parameters `@name` in the SQL text (BigQuery's syntax; the DuckDB adapter binds the same names
 * to a prepared statement), and every value a caller sent travels in `params`, never in `sql`.
 */
export type ParamValue = string | number;

export interface Statement {
  readonly sql: string;
  readonly params: Readonly<Record<string, ParamValue>>;
}

/** A row as plain JSON values: TIMESTAMPs as ISO 8601 strings, integers as numbers. */
export type FactRow = Record<string, unknown>;

export interface FactReader {
  read(statement: Statement): Promise<FactRow[]>;
}
