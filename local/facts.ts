/**
 * The fact build after a local run, as the scheduled queries do it in BigQuery: Iterable's own
 * campaign totals for the loaded range are read for the reconciliation, then every model in sql/
 * runs on the warehouse. A failure to read the totals is reported, not fatal: the facts still build.
 */

import type { Anomaly } from '../functions/src/anomalies/anomaly.js';
import { rawTableName, STREAMS } from '../functions/src/catalog.js';
import type { CampaignMetricsSource } from '../functions/src/pipeline/campaign-metrics-refresh.js';
import type { Window } from '../functions/src/pipeline/window.js';
import type { Datasets } from '../sql/datasets.js';
import { DuckDbWarehouse } from './duckdb-warehouse.js';
import { readAnomalies } from './sql/anomalies.js';
import { loadCampaignMetrics } from './sql/campaign-metrics-load.js';
import { type ModelRun, runModels } from './sql/models.js';
import {
  type CampaignSummaryRow,
  campaignSummary,
  type ReconciliationSummary,
  reconciliationSummary,
} from './sql/summary.js';

export interface FactBuild {
  readonly models: readonly ModelRun[];
  readonly campaigns: readonly CampaignSummaryRow[];
  /** `null` when Iterable's totals could not be read; `metricsError` says why. */
  readonly reconciliation: ReconciliationSummary | null;
  readonly metricsError: string | null;
  readonly loadedRange: Window | null;
  /** Anomalies this build found first (metric_anomalies), and every one it holds, for "since when". */
  readonly newAnomalies: readonly Anomaly[];
  readonly anomalies: readonly Anomaly[];
}

export async function buildFacts(options: {
  readonly warehouseFile: string;
  readonly datasets?: Datasets;
  readonly metrics: CampaignMetricsSource;
  readonly lookbackDays: number;
  /** Custom event names counted as conversions (`CONVERSION_EVENT_NAMES`). */
  readonly conversionEventNames?: readonly string[];
  /** Where every export stream is loaded up to: the end of the range to reconcile. */
  readonly loadedUntil: number | null;
  /** The clock the lookback counts back from. */
  readonly now?: number;
}): Promise<FactBuild> {
  const warehouse = await DuckDbWarehouse.open(options.warehouseFile, options.datasets);
  try {
    const loadedRange = await rangeOf(warehouse, options.loadedUntil);
    let metricsError: string | null = null;
    if (loadedRange) {
      try {
        await loadCampaignMetrics(warehouse, options.metrics, loadedRange);
      } catch (error) {
        metricsError = error instanceof Error ? error.message : String(error);
      }
    }
    const detectedFrom = options.now ?? Date.now();
    const models = await runModels(warehouse, {
      lookbackDays: options.lookbackDays,
      now: options.now,
      conversionEventNames: options.conversionEventNames ?? [],
    });
    return {
      newAnomalies: await readAnomalies(warehouse, detectedFrom),
      anomalies: await readAnomalies(warehouse),
      models,
      campaigns: await campaignSummary(warehouse),
      reconciliation: loadedRange && metricsError === null ? await reconciliationSummary(warehouse) : null,
      metricsError,
      loadedRange,
    };
  } finally {
    await warehouse.close();
  }
}

/**
 * The range to reconcile: from the earliest loaded window to where every export stream is loaded.
 * Not the latest of the streams' first windows: windows are sized by density, so a sparse stream's
 * first windows can hold no rows and its earliest row's window starts days after the others' (the
 * range would then cut off events the facts count). A stream loaded from a later start shows as
 * missing events here, which it is until `npm run backfill` loads them.
 */
async function rangeOf(warehouse: DuckDbWarehouse, loadedUntil: number | null): Promise<Window | null> {
  if (loadedUntil === null) return null;
  // Profiles (`users`) are windowed on profileUpdatedAt: where their rows start says nothing about
  // which events are loaded.
  const exports = STREAMS.filter((s) => s.source.kind === 'export' && s.source.windowField === 'createdAt');
  const union = exports
    .map((s) => `SELECT min(_window_start) AS s FROM ${warehouse.datasets.raw}.${rawTableName(s.name)}`)
    .join(' UNION ALL ');
  const [row] = await warehouse.query<{ start: number | null }>(
    `SELECT epoch_ms(min(s)) AS start FROM (${union})`,
  );
  const start = row?.start === null || row?.start === undefined ? null : Number(row.start);
  return start === null || start >= loadedUntil ? null : { start, end: loadedUntil };
}
