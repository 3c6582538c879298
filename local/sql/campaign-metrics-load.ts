/**
 * Loads Iterable's own per-campaign totals into `<raw>.campaign_metrics_raw` in the local
 * warehouse, replacing the table: the totals are re-read whole for the range the pipeline has
 * loaded, so the previous answer is never still right. Which campaigns: every campaign in the
 * campaigns dimension.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import {
  CAMPAIGN_METRICS_COLUMNS,
  CAMPAIGN_METRICS_TABLE,
  CAMPAIGN_METRICS_TABLE_COLUMNS,
} from '../../functions/src/campaign-metrics-table.js';
import { rawTableName } from '../../functions/src/catalog.js';
import type { CampaignMetricsSource } from '../../functions/src/pipeline/campaign-metrics-refresh.js';
import type { Window } from '../../functions/src/pipeline/window.js';
import type { Datasets } from '../../sql/datasets.js';
import { DUCKDB_TYPES } from '../duckdb-ddl.js';
import { epochMsToTimestamp } from '../duckdb-load.js';
import type { DuckDbWarehouse } from '../duckdb-warehouse.js';

const campaignMetricsTable = (datasets: Datasets): string => `${datasets.raw}.${CAMPAIGN_METRICS_TABLE}`;

/** DDL of the table; `ifNotExists` makes the empty table the models need before any load. */
export function campaignMetricsDdl(datasets: Datasets, mode: 'replace' | 'ifNotExists'): string {
  const columns = CAMPAIGN_METRICS_TABLE_COLUMNS.map((c) => `${c.name} ${DUCKDB_TYPES[c.type]}`).join(', ');
  const create = mode === 'replace' ? 'CREATE OR REPLACE TABLE' : 'CREATE TABLE IF NOT EXISTS';
  return `${create} ${campaignMetricsTable(datasets)} (${columns})`;
}

/** Fetches the totals of every known campaign over `range` and replaces the table; returns the row count. */
export async function loadCampaignMetrics(
  warehouse: DuckDbWarehouse,
  source: CampaignMetricsSource,
  range: Window,
  now: () => number = Date.now,
): Promise<number> {
  const { datasets } = warehouse;
  const campaigns = await warehouse.query<{ campaign_id: number }>(
    `SELECT DISTINCT campaign_id FROM ${datasets.raw}.${rawTableName('campaigns')}
     WHERE campaign_id IS NOT NULL ORDER BY campaign_id`,
  );
  const rows = await source.metrics(
    campaigns.map((c) => c.campaign_id),
    range,
  );
  const loadedAt = now();
  const names = CAMPAIGN_METRICS_COLUMNS.map((c) => c.name);
  const placeholders = [
    ...names.map((_, k) => `$${k + 1}`),
    ...[names.length + 1, names.length + 2, names.length + 3].map((k) => epochMsToTimestamp(`$${k}`)),
  ];
  const insert = `INSERT INTO ${campaignMetricsTable(datasets)} VALUES (${placeholders.join(', ')})`;
  const connection = await warehouse.connect();
  try {
    await connection.run('BEGIN TRANSACTION');
    try {
      await connection.run(campaignMetricsDdl(datasets, 'replace'));
      for (const row of rows) {
        const values: DuckDBValue[] = names.map((n) => row[n] ?? null);
        await connection.run(insert, [...values, range.start, range.end, loadedAt]);
      }
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw error;
    }
  } finally {
    connection.closeSync();
  }
  return rows.length;
}
