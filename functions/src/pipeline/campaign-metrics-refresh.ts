/**
 * The worker's half of a campaign metrics task: ask Iterable for the batch's totals over the
 * task's range and replace those campaigns' rows of `campaign_metrics_raw` in one transaction. A
 * campaign Iterable does not answer for loses its row: Iterable no longer knows it.
 */
import type { CampaignMetricsRow } from '../iterable/campaign-metrics.js';
import type { Logger } from '../log.js';
import type { Interval } from '../time.js';
import type { ParsedCampaignMetricsTask } from './campaign-metrics-task.js';

/** Iterable's totals (`CampaignMetricsClient`). */
export interface CampaignMetricsSource {
  metrics(campaignIds: readonly number[], range: Interval): Promise<CampaignMetricsRow[]>;
}

/** Where the totals go (BigQuery's `campaign_metrics_raw` on GCP). */
export interface CampaignMetricsStore {
  /** Deletes every row of `campaignIds` and inserts `rows`, atomically. */
  replace(
    campaignIds: readonly number[],
    rows: readonly CampaignMetricsRow[],
    range: Interval,
    loadedAt: number,
  ): Promise<void>;
}

export interface CampaignMetricsRefreshDeps {
  readonly metrics: CampaignMetricsSource;
  readonly store: CampaignMetricsStore;
  readonly now: () => number;
  readonly log: Logger;
}

export async function refreshCampaignMetrics(
  deps: CampaignMetricsRefreshDeps,
  task: ParsedCampaignMetricsTask,
): Promise<{ readonly campaigns: number; readonly rows: number }> {
  const range = { start: task.start, end: task.end };
  const rows = await deps.metrics.metrics(task.campaignIds, range);
  await deps.store.replace(task.campaignIds, rows, range, deps.now());
  deps.log({
    severity: 'INFO',
    message: `campaign metrics: ${rows.length} rows for ${task.campaignIds.length} campaigns`,
    campaigns: task.campaignIds.length,
    rows: rows.length,
  });
  return { campaigns: task.campaignIds.length, rows: rows.length };
}
