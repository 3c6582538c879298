/**
 * The SQL files the scheduled queries run: the same model files of `sql/`, in the same order and
 * rendered the same way as the local runner builds them (`sql/render.ts`), with the stack's
 * dataset names and fact lookback. Read when the program runs, so a new file becomes a new
 * scheduled query on the next `pulumi up` with no change here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { modelFiles, type RenderOptions, renderSql } from '../sql/render.js';

export interface FactQuery {
  /** The file name without `.sql`: a stable resource key. */
  readonly key: string;
  readonly file: string;
  readonly sql: string;
}

/** The file whose scheduled run, once complete, triggers the anomaly notifier (robust_z). */
export const ANOMALY_QUERY = '32_metric_anomalies';

/**
 * BigQuery ML's detector (anomalyDetector = arima_plus): not a model file, since DuckDB cannot run
 * it; scheduled after them, and the notifier's trigger in place of ANOMALY_QUERY.
 */
export const ARIMA_PLUS_QUERY = 'metric_arima_plus';
const ARIMA_PLUS_FILE = join('bigquery-ml', `${ARIMA_PLUS_QUERY}.sql`);

export function readFactQueries(root: string, render: RenderOptions): readonly FactQuery[] {
  if (!existsSync(root)) return [];
  return modelFiles(root).map((file) => ({
    key: basename(file, '.sql'),
    file,
    sql: renderSql(readFileSync(file, 'utf8'), render),
  }));
}

/** The ARIMA_PLUS scheduled query, rendered like the model files. */
export function readArimaPlusQuery(root: string, render: RenderOptions): FactQuery {
  const file = join(root, ARIMA_PLUS_FILE);
  return { key: ARIMA_PLUS_QUERY, file, sql: renderSql(readFileSync(file, 'utf8'), render) };
}
