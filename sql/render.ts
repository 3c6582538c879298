/**
 * Which files of sql/ are models, and how one becomes the SQL a warehouse runs: the local runner
 * and the Pulumi program's scheduled queries both take them from here. The files are BigQuery SQL as deployed,
 * with the defaults written literally; the runner substitutes:
 *   - `iterable_raw.` and `iterable_analytics.` with the configured dataset names;
 *   - the `7` of `INTERVAL 7 DAY` that a `lookback_days` comment follows, with the lookback;
 *   - the `(NULL)` that a `conversion_event_names` comment follows, with the custom event names that count as conversions
 *     (`CONVERSION_EVENT_NAMES`), when any are configured;
 *   - the `'robust_z'` that an `anomaly_detector` comment follows, with the stack's detector
 *     (`anomalyDetector`), so the robust-z SQL stands aside when BigQuery ML's detector runs;
 *   - `CURRENT_TIMESTAMP` with a fixed instant (DuckDB syntax), when the build is pinned to one
 *     (tests, a rerun as of a past day).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDatasets, type Datasets } from './datasets.js';

export const DEFAULT_LOOKBACK_DAYS = 7;

/**
 * Who fills metric_anomalies' statistical rows and metric_forecast: `robust_z`, the SQL of 31–33
 * on both engines, or `arima_plus`, BigQuery ML (sql/bigquery-ml/, BigQuery only).
 */
export const ANOMALY_DETECTORS = ['robust_z', 'arima_plus'] as const;
export type AnomalyDetector = (typeof ANOMALY_DETECTORS)[number];

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
  /** Custom event names counted as conversions beside purchases; none when absent. */
  readonly conversionEventNames?: readonly string[];
  /** The stack's anomaly detector; robust_z when absent (the only one DuckDB can run). */
  readonly anomalyDetector?: AnomalyDetector;
}

const LOOKBACK = /\b7 \/\* lookback_days \*\//g;
const CONVERSION_EVENTS = /\(NULL\) \/\* conversion_event_names \*\//g;
const DETECTOR = /'robust_z' \/\* anomaly_detector \*\//g;

/**
 * Event names become string literals in SQL text; quotes and backslashes, which the two engines
 * escape differently, are refused rather than escaped.
 */
export function checkEventNames(names: readonly string[]): readonly string[] {
  const bad = names.find((n) => n.length === 0 || /['"\\]/.test(n));
  if (bad !== undefined) {
    throw new Error(
      `conversion event name ${JSON.stringify(bad)} cannot be used: names must be non-empty, without quotes or backslashes`,
    );
  }
  return names;
}

export function renderSql(sql: string, options: RenderOptions): string {
  const { raw, analytics } = checkDatasets(options.datasets);
  if (!Number.isInteger(options.lookbackDays) || options.lookbackDays < 0) {
    throw new Error(`lookbackDays must be a whole number of days, not ${options.lookbackDays}`);
  }
  const rendered = sql
    .replace(/\biterable_raw\./g, `${raw}.`)
    .replace(/\biterable_analytics\./g, `${analytics}.`)
    .replace(LOOKBACK, `${options.lookbackDays} /* lookback_days */`)
    .replace(CONVERSION_EVENTS, (placeholder) => {
      const names = checkEventNames(options.conversionEventNames ?? []);
      return names.length === 0
        ? placeholder
        : `(${names.map((n) => `'${n}'`).join(', ')}) /* conversion_event_names */`;
    })
    .replace(DETECTOR, `'${options.anomalyDetector ?? 'robust_z'}' /* anomaly_detector */`);
  if (options.now === undefined) return rendered;
  const instant = new Date(options.now).toISOString();
  return rendered.replace(/\bCURRENT_TIMESTAMP\b/g, `CAST('${instant}' AS TIMESTAMPTZ)`);
}
