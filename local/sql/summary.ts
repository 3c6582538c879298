/**
 * Short summaries of the built facts for the end of a local run. They return data; the caller
 * decides how to print it.
 */
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';

export interface CampaignSummaryRow {
  readonly campaign_id: number;
  readonly campaign_name: string | null;
  readonly count_sends: number;
  /** Unique opens / delivered; null when nothing was delivered. */
  readonly open_rate: number | null;
  /** Unique clicks / delivered; null when nothing was delivered. */
  readonly click_rate: number | null;
}

/** The campaigns with the most sends, most first. */
export function campaignSummary(warehouse: DuckDbWarehouse, limit = 10): Promise<CampaignSummaryRow[]> {
  return warehouse.query<CampaignSummaryRow>(
    `SELECT campaign_id, campaign_name, count_sends, open_rate, click_rate
     FROM ${warehouse.datasets.analytics}.campaign_fact_table
     ORDER BY count_sends DESC, campaign_id
     LIMIT $limit`,
    { limit },
  );
}

export interface ReconciliationMismatch {
  readonly campaign_id: number;
  readonly metric: string;
  readonly ours: number;
  readonly theirs: number | null;
  readonly difference: number | null;
}

export interface ReconciliationSummary {
  /** Campaigns Iterable reported totals for. */
  readonly campaigns: number;
  /** Of those, campaigns whose every metric matches ours exactly. */
  readonly reconciled: number;
  /** The first mismatching metrics, by campaign and metric. */
  readonly mismatches: ReconciliationMismatch[];
}

export async function reconciliationSummary(
  warehouse: DuckDbWarehouse,
  maxMismatches = 10,
): Promise<ReconciliationSummary> {
  const table = `${warehouse.datasets.analytics}.campaign_reconciliation`;
  const [counts] = await warehouse.query<{ campaigns: number; reconciled: number }>(
    `SELECT count(*) AS campaigns, count(*) FILTER (WHERE is_reconciled) AS reconciled
     FROM (SELECT campaign_id, bool_and(is_match) AS is_reconciled FROM ${table} GROUP BY campaign_id)`,
  );
  const mismatches = await warehouse.query<ReconciliationMismatch>(
    `SELECT campaign_id, metric, ours, theirs, difference FROM ${table}
     WHERE NOT is_match ORDER BY campaign_id, metric LIMIT $limit`,
    { limit: maxMismatches },
  );
  return { campaigns: counts?.campaigns ?? 0, reconciled: counts?.reconciled ?? 0, mismatches };
}
