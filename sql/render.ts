/**
 * Which files of sql/ are models, and how one becomes the SQL a warehouse runs: the local runner
 * and the Pulumi program's scheduled queries both take them from here. The files are BigQuery SQL as deployed,
 * with the defaults written literally; the runner substitutes:
 *   - `iterable_raw.` and `iterable_analytics.` with the configured dataset names;
 *   - the `7` of `INTERVAL 7 DAY` that a `lookback_days` comment follows, with the lookback;
 *   - `CURRENT_TIMESTAMP` with a fixed instant (DuckDB syntax), when the build is pinned to one
 *     (tests, a rerun as of a past day).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDatasets, type Datasets } from './datasets.js';

export const DEFAULT_LOOKBACK_DAYS = 7;

export const SQL_DIR = fileURLToPath(new URL('./', import.meta.url));

/** The model files, `NN_name.sql`, in the order they must run. */
export function modelFiles(dir = SQL_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /^\d+_\w+\.sql$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export interface RenderOptions {
  readonly datasets: Datasets;
  readonly lookbackDays: number;
  /** Epoch milliseconds standing in for CURRENT_TIMESTAMP; the warehouse clock when absent. */
  readonly now?: number;
}

const LOOKBACK = /\b7 \/\* lookback_days \*\//g;

export function renderSql(sql: string, options: RenderOptions): string {
  const { raw, analytics } = checkDatasets(options.datasets);
  if (!Number.isInteger(options.lookbackDays) || options.lookbackDays < 0) {
    throw new Error(`lookbackDays must be a whole number of days, not ${options.lookbackDays}`);
  }
  const rendered = sql
    .replace(/\biterable_raw\./g, `${raw}.`)
    .replace(/\biterable_analytics\./g, `${analytics}.`)
    .replace(LOOKBACK, `${options.lookbackDays} /* lookback_days */`);
  if (options.now === undefined) return rendered;
  const instant = new Date(options.now).toISOString();
  return rendered.replace(/\bCURRENT_TIMESTAMP\b/g, `CAST('${instant}' AS TIMESTAMPTZ)`);
}
