/**
 * The SQL files the scheduled queries run: the same model files of `sql/`, in the same order and
 * rendered the same way as the local runner builds them (`sql/render.ts`), with the stack's
 * dataset names and fact lookback. Read when the program runs, so a new file becomes a new
 * scheduled query on the next `pulumi up` with no change here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { modelFiles, type RenderOptions, renderSql } from '../sql/render.js';

export interface FactQuery {
  /** The file name without `.sql`: a stable resource key. */
  readonly key: string;
  readonly file: string;
  readonly sql: string;
}

/** The file whose scheduled run, once complete, triggers the anomaly notifier. */
export const ANOMALY_QUERY = '32_metric_anomalies';

export function readFactQueries(root: string, render: RenderOptions): readonly FactQuery[] {
  if (!existsSync(root)) return [];
  return modelFiles(root).map((file) => ({
    key: basename(file, '.sql'),
    file,
    sql: renderSql(readFileSync(file, 'utf8'), render),
  }));
}
