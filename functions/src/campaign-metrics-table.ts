/**
 * Iterable's own per-campaign totals (`GET /api/campaigns/metrics`, CSV) as a raw table, declared
 * once: the CSV parser, the local DuckDB table, the BigQuery table definition and the SQL checks
 * all derive from this list. Each column says which CSV header it is read from and which metric
 * of `campaign_fact_table` it is reconciled with.
 */
import { type ColumnType, LOAD_COLUMNS } from './catalog.js';

export const CAMPAIGN_METRICS_TABLE = 'campaign_metrics_raw';

export interface CampaignMetricsColumn {
  readonly name: string;
  readonly type: ColumnType;
  /** Column header of Iterable's CSV. */
  readonly header: string;
  /** The `campaign_fact_table` column holding our count of the same thing; null for the key. */
  readonly metric: string | null;
}

const count = (name: string, header: string, metric: string): CampaignMetricsColumn => ({
  name,
  type: 'INT64',
  header,
  metric,
});

export const CAMPAIGN_METRICS_COLUMNS = [
  { name: 'campaign_id', type: 'INT64', header: 'id', metric: null },
  count('total_email_sends', 'Total Email Sends', 'count_sends'),
  count('total_emails_delivered', 'Total Emails Delivered', 'count_delivered'),
  count('total_emails_bounced', 'Total Emails Bounced', 'count_bounces'),
  count('total_email_opens', 'Total Email Opens', 'count_opens'),
  count('unique_email_opens', 'Unique Email Opens', 'count_unique_opens'),
  count('total_email_clicks', 'Total Email Clicks', 'count_clicks'),
  count('unique_email_clicks', 'Unique Email Clicks', 'count_unique_clicks'),
  count('total_complaints', 'Total Complaints', 'count_complaints'),
  count('total_unsubscribes', 'Total Unsubscribes', 'count_unsubscribes'),
  count('unique_unsubscribes', 'Unique Unsubscribes', 'count_unique_unsubscribes'),
  count('total_purchases', 'Total Purchases', 'count_purchases'),
  { name: 'revenue', type: 'FLOAT64', header: 'Revenue', metric: 'revenue' },
] as const satisfies readonly CampaignMetricsColumn[];

export type CampaignMetricsColumnName = (typeof CAMPAIGN_METRICS_COLUMNS)[number]['name'];

/**
 * Load metadata after the metrics: the requested range `[start, end)` Iterable counted over, and
 * when the table was loaded.
 */
const CAMPAIGN_METRICS_METADATA_COLUMNS = LOAD_COLUMNS.filter((c) => c.name !== '_run_id');

/** Every column of the raw table, in order. */
export const CAMPAIGN_METRICS_TABLE_COLUMNS: readonly { name: string; type: ColumnType }[] = [
  ...CAMPAIGN_METRICS_COLUMNS,
  ...CAMPAIGN_METRICS_METADATA_COLUMNS,
];
