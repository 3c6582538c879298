/**
 * The API's query port on BigQuery: every statement runs with named query parameters
 * (https://cloud.google.com/bigquery/docs/parameterized-queries), so a caller's input is never SQL
 * text, and with BigQuery's result cache on (https://cloud.google.com/bigquery/docs/cached-results:
 * a repeated query over unchanged tables is free). `maximumBytesBilled` caps what one request can
 * cost: a query that would read more fails instead of billing it.
 */
import { type BigQuery, BigQueryDate, BigQueryTimestamp } from '@google-cloud/bigquery';
import type { FactReader, FactRow, Statement } from '../api/fact-reader.js';

/** 10 GB: far above what a page of fact rows reads, far below a runaway scan's bill. */
const MAX_BYTES_BILLED = String(10 * 1024 ** 3);

/** TIMESTAMP as ISO 8601 and DATE as `YYYY-MM-DD`, as the DuckDB adapter gives them. */
function plain(value: unknown): unknown {
  if (value instanceof BigQueryTimestamp || value instanceof BigQueryDate) return value.value;
  return value;
}

export class BigQueryFactReader implements FactReader {
  constructor(
    private readonly bigquery: BigQuery,
    private readonly location: string,
  ) {}

  async read(statement: Statement): Promise<FactRow[]> {
    const [rows] = await this.bigquery.query({
      query: statement.sql,
      // An object of params makes the client send parameterMode NAMED with typed queryParameters.
      params: { ...statement.params },
      location: this.location,
      useQueryCache: true,
      useLegacySql: false,
      maximumBytesBilled: MAX_BYTES_BILLED,
    });
    return (rows as FactRow[]).map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])),
    );
  }
}
