/**
 * Iterable's campaign totals on BigQuery: the fan-out's query for what to ask (the loaded range's
 * start and the campaigns with events in the re-read stretch) and the worker's transaction that
 * replaces a batch of campaigns' rows of `campaign_metrics_raw`.
 *
 * Cost: every filter on `created_at` (the partition column) is a query parameter or a script
 * variable, so BigQuery reads only those days' partitions; the earliest loaded day comes from the
 * partitions' metadata, not from a scan.
 * https://cloud.google.com/bigquery/docs/querying-partitioned-tables#pruning_limiting_partitions
 * https://cloud.google.com/bigquery/docs/information-schema-partitions
 */
import type { BigQuery } from '@google-cloud/bigquery';
import { CAMPAIGN_METRICS_COLUMNS, CAMPAIGN_METRICS_TABLE } from '../campaign-metrics-table.js';
import { rawTableName, STREAMS } from '../catalog.js';
import type { CampaignMetricsRow } from '../iterable/campaign-metrics.js';
import type { LoadedCampaigns } from '../pipeline/campaign-metrics-plan.js';
import type { CampaignMetricsStore } from '../pipeline/campaign-metrics-refresh.js';
import type { Interval } from '../time.js';
import type { DatasetRef } from './bigquery-load.js';
import {
  DEFAULT_TRANSACTION_RETRY,
  retryConflicts,
  type TransactionRetryOptions,
} from './transaction-retry.js';

const qualified = (raw: DatasetRef, table: string): string => `\`${raw.projectId}.${raw.dataset}.${table}\``;

/** Event streams cut on `createdAt` with a campaign: where a loaded range and its campaigns show. */
const EVENT_TABLES = STREAMS.filter(
  (s) =>
    s.source.kind === 'export' &&
    s.source.windowField === 'createdAt' &&
    s.columns.some((c) => c.name === 'campaign_id'),
).map((s) => rawTableName(s.name));

/**
 * One row per campaign with an event in `[@changed_from, @until)`, each with `loaded_from_ms`: the
 * start of the earliest window with rows, read from the earliest day that has any (a window's rows
 * are created inside it, so the earliest window's rows are on that day).
 */
export function loadedCampaignsQuery(raw: DatasetRef): string {
  const union = (select: string, where: string) =>
    EVENT_TABLES.map((t) => `SELECT ${select} FROM ${qualified(raw, t)} WHERE ${where}`).join(
      '\n  UNION ALL ',
    );
  const names = EVENT_TABLES.map((t) => `'${t}'`).join(', ');
  return [
    'DECLARE first_day DATE DEFAULT (',
    "  SELECT MIN(PARSE_DATE('%Y%m%d', partition_id))",
    `  FROM \`${raw.projectId}.${raw.dataset}.INFORMATION_SCHEMA.PARTITIONS\``,
    `  WHERE table_name IN (${names}) AND total_rows > 0 AND REGEXP_CONTAINS(partition_id, r'^[0-9]{8}$'));`,
    'DECLARE first_from TIMESTAMP DEFAULT TIMESTAMP(first_day);',
    'DECLARE first_until TIMESTAMP DEFAULT TIMESTAMP(DATE_ADD(first_day, INTERVAL 1 DAY));',
    'DECLARE loaded_from TIMESTAMP DEFAULT (SELECT MIN(s) FROM (',
    `  ${union('MIN(_window_start) AS s', 'created_at >= first_from AND created_at < first_until')}));`,
    'SELECT DISTINCT UNIX_MILLIS(loaded_from) AS loaded_from_ms, campaign_id FROM (',
    `  ${union('campaign_id', 'created_at >= @changed_from AND created_at < @until')})`,
    'WHERE campaign_id IS NOT NULL AND loaded_from IS NOT NULL',
    'ORDER BY campaign_id;',
  ].join('\n');
}

/** A number column of the rows' JSON text, typed as the table's column. */
const fromJson = (column: (typeof CAMPAIGN_METRICS_COLUMNS)[number]): string =>
  `CAST(JSON_VALUE(r, '$.${column.name}') AS ${column.type})`;

/**
 * The replacing transaction. The rows travel as one JSON text parameter: array parameters cannot
 * hold the NULLs of metrics Iterable leaves empty.
 * https://cloud.google.com/bigquery/docs/parameterized-queries
 * https://cloud.google.com/bigquery/docs/transactions
 */
export function replaceCampaignMetricsScript(raw: DatasetRef): string {
  const table = qualified(raw, CAMPAIGN_METRICS_TABLE);
  const columns = [
    ...CAMPAIGN_METRICS_COLUMNS.map((c) => c.name),
    '_window_start',
    '_window_end',
    '_loaded_at',
  ];
  return [
    'BEGIN TRANSACTION;',
    `DELETE FROM ${table} WHERE campaign_id IN UNNEST(@campaign_ids);`,
    `INSERT INTO ${table} (${columns.join(', ')})`,
    `SELECT ${CAMPAIGN_METRICS_COLUMNS.map(fromJson).join(', ')}, @window_start, @window_end, @loaded_at`,
    'FROM UNNEST(JSON_QUERY_ARRAY(@rows)) AS r;',
    'COMMIT TRANSACTION;',
  ].join('\n');
}

export interface BigQueryCampaignMetricsOptions {
  readonly rawDataset: string;
  readonly location: string;
  readonly transactionRetry?: TransactionRetryOptions;
}

export class BigQueryCampaignMetrics implements LoadedCampaigns, CampaignMetricsStore {
  private readonly raw: DatasetRef;

  constructor(
    private readonly bigquery: BigQuery,
    private readonly options: BigQueryCampaignMetricsOptions,
  ) {
    this.raw = { projectId: bigquery.projectId, dataset: options.rawDataset };
  }

  async campaigns(
    changedFrom: number,
    until: number,
  ): Promise<{ loadedFrom: number | null; campaignIds: number[] }> {
    const [rows] = await this.bigquery.query({
      query: loadedCampaignsQuery(this.raw),
      params: { changed_from: new Date(changedFrom), until: new Date(until) },
      types: { changed_from: 'TIMESTAMP', until: 'TIMESTAMP' },
      location: this.options.location,
      jobPrefix: 'campaign_metrics_plan_',
    });
    const found = rows as { loaded_from_ms: number; campaign_id: number }[];
    return {
      loadedFrom: found.length === 0 ? null : Number(found[0]?.loaded_from_ms),
      campaignIds: found.map((r) => Number(r.campaign_id)),
    };
  }

  async replace(
    campaignIds: readonly number[],
    rows: readonly CampaignMetricsRow[],
    range: Interval,
    loadedAt: number,
  ): Promise<void> {
    // Two batches' transactions write the same table; the queue runs one at a time, and a
    // conflict with anything else reruns the transaction alone.
    await retryConflicts(async () => {
      const [job] = await this.bigquery.createQueryJob({
        query: replaceCampaignMetricsScript(this.raw),
        params: {
          campaign_ids: [...campaignIds],
          rows: JSON.stringify(rows),
          window_start: new Date(range.start),
          window_end: new Date(range.end),
          loaded_at: new Date(loadedAt),
        },
        types: {
          campaign_ids: ['INT64'],
          rows: 'STRING',
          window_start: 'TIMESTAMP',
          window_end: 'TIMESTAMP',
          loaded_at: 'TIMESTAMP',
        },
        location: this.options.location,
        jobPrefix: 'campaign_metrics_',
      });
      await job.promise();
    }, this.options.transactionRetry ?? DEFAULT_TRANSACTION_RETRY);
  }
}
